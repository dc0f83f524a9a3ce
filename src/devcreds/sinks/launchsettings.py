"""``Properties/launchSettings.json`` of .NET projects: ``profiles.<name>.environmentVariables``."""

from __future__ import annotations

from devcreds.sinks import jsonc
from devcreds.sinks.jsonfile import Finder, ShapeError, Target, top_level

KEY = "environmentVariables"
DEFAULT_PATH = "Properties/launchSettings.json"
# Docker Compose profiles take their environment from the compose file, not from here.
_SKIPPED_COMMANDS = {"DockerCompose"}


def targets(only: list[str] | None = None) -> Finder:
    """A finder for the profiles to write: all (but DockerCompose) or the ones named."""

    def find(tree: jsonc.Node) -> list[Target]:
        profiles = top_level(tree, "profiles", jsonc.Object)
        found = []
        seen = set()
        for member in reversed(profiles.members):  # the last duplicate is the one .NET uses
            if member.key in seen:
                continue
            seen.add(member.key)
            if only is not None and member.key not in only:
                continue
            if not isinstance(member.value, jsonc.Object):
                raise ShapeError(f'profile "{member.key}" is not an object')
            command = member.value.get("commandName")
            if isinstance(command, jsonc.Scalar) and command.value in _SKIPPED_COMMANDS:
                continue
            found.append(Target(("profiles", member.key), member.value, f'profile "{member.key}"'))
        found.reverse()
        return found

    return find
