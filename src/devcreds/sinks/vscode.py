"""``.vscode/launch.json``: the ``env`` object of each configuration, known by its name."""

from __future__ import annotations

from devcreds.sinks import jsonc
from devcreds.sinks.base import Place, ShapeError
from devcreds.sinks.jsonenv import JsonEnvSink, Located, top_level

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

    def writable(self, places: list[Place], text: str) -> list[str]:
        return [p.name for p in places]
