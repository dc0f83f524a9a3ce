"""Environment objects inside JSONC files: set our variables, take them out again.

launchSettings.json keeps them in ``profiles.<name>.environmentVariables``,
.vscode/launch.json in ``configurations[i].env``; both go through here, so
both get the same verified, byte-precise edits.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from devcreds.sinks import jsonc

Path_ = tuple[str | int, ...]  # where a container sits in the document


@dataclass(frozen=True)
class Target:
    """An object (a profile, a configuration) whose ``key`` member holds the environment."""

    path: Path_
    container: jsonc.Object
    label: str  # for messages: 'profile "Web"'


Finder = Callable[[jsonc.Node], list["Target"]]


class ShapeError(ValueError):
    """The document parses but is not shaped as expected; the message says where."""


N = TypeVar("N", jsonc.Object, jsonc.Array)


def top_level(tree: jsonc.Node, name: str, kind: type[N]) -> N:
    """The document's ``name`` member, which must be a ``kind``; ShapeError otherwise."""
    if not isinstance(tree, jsonc.Object):
        raise ShapeError("the file is not a JSON object")
    member = tree.get(name)
    if member is None:
        raise ShapeError(f'the file has no "{name}"')
    if not isinstance(member, kind):
        article = "an array" if kind is jsonc.Array else "an object"
        raise ShapeError(f'"{name}" is not {article}')
    return member


@dataclass(frozen=True)
class Edit:
    text: str
    created: list[Path_]  # environment objects that did not exist before
    filled: list[Path_]  # environment objects that were an empty {}


def set_environment(
    text: str,
    find: Finder,
    key: str,
    variables: dict[str, str],
) -> Edit:
    """``text`` with ``variables`` set in the ``key`` object of every target."""
    tree = jsonc.parse(text)
    newline = jsonc.newline_of(text)
    entries = [(name, json.dumps(value)) for name, value in variables.items()]
    splices: list[jsonc.Splice] = []
    created: list[Path_] = []
    filled: list[Path_] = []
    targets = find(tree)
    for target in targets:
        unit = jsonc.indent_unit(text, target.container)
        environment = target.container.get(key)
        if environment is None:
            if _inline_empty(text, target.container):
                filled.append(target.path)
            indent = _member_indent(text, target.container, unit)
            value = jsonc.object_text(entries, indent, unit, newline)
            splices += jsonc.set_members(text, target.container, [(key, value)], unit)
            created.append((*target.path, key))
            continue
        if not isinstance(environment, jsonc.Object):
            raise ShapeError(f"{key} of {target.label} is not an object")
        if _inline_empty(text, environment):
            filled.append((*target.path, key))
        splices += jsonc.set_members(
            text,
            environment,
            entries,
            jsonc.indent_unit(text, environment) if environment.members else unit,
        )
    result = jsonc.apply(text, splices)
    expected = jsonc.to_python(tree)
    for target in targets:
        _at(expected, target.path).setdefault(key, {}).update(variables)
    _verify(result, expected)
    return Edit(result, created, filled)


def remove_environment(
    text: str,
    find: Finder,
    key: str,
    names: list[str],
    created: list[Path_],
    filled: list[Path_],
) -> str:
    """``text`` without ``names`` in the targets' ``key`` objects; what we created goes too."""
    expected = jsonc.to_python(jsonc.parse(text))
    for target in find(jsonc.parse(text)):
        environment = _at(expected, target.path).get(key)
        if isinstance(environment, dict):
            for name in names:
                environment.pop(name, None)
            if not environment and (*target.path, key) in created:
                del _at(expected, target.path)[key]
    # One member at a time: each removal moves the offsets of the next.
    while True:
        tree = jsonc.parse(text)
        splices = _next_removal(text, tree, find(tree), key, names, created, filled)
        if splices is None:
            break
        text = jsonc.apply(text, splices)
    _verify(text, expected)
    return text


def _next_removal(
    text: str,
    tree: jsonc.Node,
    targets: list[Target],
    key: str,
    names: list[str],
    created: list[Path_],
    filled: list[Path_],
) -> list[jsonc.Splice] | None:
    for target in targets:
        environment = target.container.get(key)
        if not isinstance(environment, jsonc.Object):
            continue
        for index in reversed(range(len(environment.members))):
            if environment.members[index].key in names:
                return jsonc.remove_member(text, environment, index)
        if not environment.members and (*target.path, key) in created:
            index = max(i for i, m in enumerate(target.container.members) if m.key == key)
            return jsonc.remove_member(text, target.container, index)
    for path in filled:
        # Objects that were "{}" before we wrote into them become "{}" again.
        node = _node_at(tree, path)
        if isinstance(node, jsonc.Object) and not node.members:
            inner = text[node.start + 1 : node.end - 1]
            if inner and not inner.strip():
                return [jsonc.Splice(node.start + 1, node.end - 1, "")]
    return None


def _inline_empty(text: str, node: jsonc.Object) -> bool:
    return not node.members and text[node.start + 1 : node.end - 1] == ""


def _node_at(tree: jsonc.Node, path: Path_) -> jsonc.Node | None:
    node: jsonc.Node | None = tree
    for step in path:
        if isinstance(node, jsonc.Object) and isinstance(step, str):
            node = node.get(step)
        elif isinstance(node, jsonc.Array) and isinstance(step, int) and step < len(node.items):
            node = node.items[step]
        else:
            return None
    return node


def _member_indent(text: str, container: jsonc.Object, unit: str) -> str:
    """The indentation of the container's members (one level in, if it has none)."""
    if container.members:
        return jsonc.indent_at(text, container.members[-1].key_start)
    return jsonc.indent_at(text, container.start) + unit


def _at(document: Any, path: Path_) -> Any:
    for step in path:
        document = document[step]
    return document


def _verify(result: str, expected: Any) -> None:
    """The edited text must parse to exactly the intended document."""
    try:
        actual = jsonc.to_python(jsonc.parse(result))
    except jsonc.JsoncError as exc:
        raise ShapeError(f"the edit would have broken the file ({exc}); it is untouched") from None
    if actual != expected:
        raise ShapeError("the edit would have changed more than intended; the file is untouched")
