"""``Properties/launchSettings.json`` of .NET projects: ``profiles.<name>.environmentVariables``."""

from __future__ import annotations

from devcreds.sinks import jsonc
from devcreds.sinks.base import CONTAINERS_SECTION, Place, ShapeError
from devcreds.sinks.jsonenv import JsonEnvSink, Located, parse_once, top_level

DEFAULT_PATH = "Properties/launchSettings.json"
# Docker Compose profiles take their environment from the compose file, not from here.
_COMPOSE = "DockerCompose"
# Visual Studio runs these in a container, passing environmentVariables into it: keys work
# there, but 127.0.0.1 is the container itself and the token file a path of the host.
_CONTAINERS = {"Docker", "SdkContainer"}


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

    def skipped(self, places: list[Place], text: str, via: str | None) -> dict[str, str]:
        located = self.locate(parse_once(text))
        skips = {}
        for place in places:
            command = _command(located[place.name][1])
            if command == _COMPOSE:
                skips[place.name] = "Docker Compose gives it the compose file's environment"
            elif command in _CONTAINERS and via is not None:
                skips[place.name] = (
                    f"runs in a container ({command}), where 127.0.0.1 is the container "
                    f"itself; see the {CONTAINERS_SECTION}"
                )
        return skips


def _command(profile: jsonc.Object) -> object:
    command = profile.get("commandName")
    return command.value if isinstance(command, jsonc.Scalar) else None
