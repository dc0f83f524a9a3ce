"""``Properties/launchSettings.json`` of .NET projects: ``profiles.<name>.environmentVariables``."""

from __future__ import annotations

from devcreds.sinks import jsonc
from devcreds.sinks.base import Place, ShapeError
from devcreds.sinks.jsonenv import JsonEnvSink, Located, parse_once, top_level

DEFAULT_PATH = "Properties/launchSettings.json"
# Docker Compose profiles take their environment from the compose file, not from here.
_SKIPPED_COMMANDS = {"DockerCompose"}


class LaunchSettings(JsonEnvSink):
    kind = "launchsettings"
    target_label = "launch profile"
    key = "environmentVariables"

    def locate(self, tree: jsonc.Node) -> Located:
        profiles = top_level(tree, "profiles", jsonc.Object)
        found: Located = {}
        for member in profiles.members:  # a later duplicate replaces an earlier one, as in .NET
            if not isinstance(member.value, jsonc.Object):
                raise ShapeError(f'profile "{member.key}" is not an object')
            found.pop(member.key, None)
            found[member.key] = (("profiles", member.key), member.value)
        return found

    def writable(self, places: list[Place], text: str) -> list[str]:
        located = self.locate(parse_once(text))
        return [p.name for p in places if _command(located[p.name][1]) not in _SKIPPED_COMMANDS]


def _command(profile: jsonc.Object) -> object:
    command = profile.get("commandName")
    return command.value if isinstance(command, jsonc.Scalar) else None
