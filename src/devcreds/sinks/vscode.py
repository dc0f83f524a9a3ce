"""``.vscode/launch.json``: the ``env`` object of each configuration."""

from __future__ import annotations

from devcreds.sinks import jsonc
from devcreds.sinks.jsonfile import Finder, ShapeError, Target, top_level

KEY = "env"
DEFAULT_PATH = ".vscode/launch.json"


def targets(only: list[str] | None = None) -> Finder:
    """A finder for the configurations to write: all, or those whose name is given."""

    def find(tree: jsonc.Node) -> list[Target]:
        configurations = top_level(tree, "configurations", jsonc.Array)
        found = []
        for index, item in enumerate(configurations.items):
            if not isinstance(item, jsonc.Object):
                raise ShapeError(f"configuration {index + 1} is not an object")
            name = item.get("name")
            label = name.value if isinstance(name, jsonc.Scalar) else f"#{index + 1}"
            if only is not None and label not in only:
                continue
            found.append(Target(("configurations", index), item, f'configuration "{label}"'))
        return found

    return find
