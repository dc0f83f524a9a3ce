"""``.vscode/launch.json``: the ``env`` object of each configuration, known by its name."""

from __future__ import annotations

from devcreds.sinks import jsonc
from devcreds.sinks.base import CONTAINERS_SECTION, Place, ShapeError
from devcreds.sinks.jsonenv import JsonEnvSink, Located, parse_once, top_level

DEFAULT_PATH = ".vscode/launch.json"


class VsCode(JsonEnvSink):
    kind = "vscode"
    target_label = "configuration"
    key = "env"

    def locate(self, tree: jsonc.Node) -> Located:
        configurations = top_level(tree, "configurations", jsonc.Array)
        found: Located = {}
        for index, item in enumerate(configurations.items):
            if not isinstance(item, jsonc.Object):
                raise ShapeError(f"configuration {index + 1} is not an object")
            name = item.get("name")
            label = (
                name.value
                if isinstance(name, jsonc.Scalar) and isinstance(name.value, str)
                else f"#{index + 1}"  # VS Code requires a name; a file without one still works
            )
            if label in found:  # VS Code lists both; each is a target of its own
                label = f"{label} (#{index + 1})"
            found[label] = (("configurations", index), item)
        return found

    def skipped(self, places: list[Place], text: str, via: str | None) -> dict[str, str]:
        located = self.locate(parse_once(text))
        skips = {}
        for place in places:
            configuration = located[place.name][1]
            if _text(configuration, "request") == "attach":
                skips[place.name] = "attaches to a running process, which never reads its env"
            elif via is not None and (
                _text(configuration, "type") == "docker"
                or configuration.get("containerName") is not None
                or configuration.get("pipeTransport") is not None
            ):
                skips[place.name] = (
                    "runs in a container or on another machine, where 127.0.0.1 is not this "
                    f"one; see the {CONTAINERS_SECTION}"
                )
        return skips


def _text(configuration: jsonc.Object, key: str) -> object:
    value = configuration.get(key)
    return value.value if isinstance(value, jsonc.Scalar) else None
