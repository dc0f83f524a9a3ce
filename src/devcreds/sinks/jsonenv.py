"""Environment objects inside JSONC files, the part launchSettings.json and launch.json share.

launchSettings.json keeps them in ``profiles.<name>.environmentVariables``,
.vscode/launch.json in ``configurations[i].env``; both go through here, so
both get the same verified, byte-precise edits, in one pass over the file.
"""

from __future__ import annotations

import functools
import json
from abc import abstractmethod
from collections.abc import Sequence
from typing import Any, ClassVar, TypeVar

from devcreds.sinks import jsonc
from devcreds.sinks.base import Occurrence, Place, Removal, ShapeError, Sink
from devcreds.sinks.record import Target, fingerprint

N = TypeVar("N", jsonc.Object, jsonc.Array)
# A write reads the file's tree several times (targets, edit, check, what is ours after) and
# the tokenizer is the cost of a large file: parse each text once. The trees are never changed.
parse_once = functools.lru_cache(maxsize=4)(jsonc.parse)
Located = dict[str, tuple[Any, jsonc.Object]]  # target name -> (path in the document, object)


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


class JsonEnvSink(Sink):
    """A JSONC file whose targets are objects with an environment object under ``key``."""

    key: ClassVar[str]

    @abstractmethod
    def locate(self, tree: jsonc.Node) -> Located:
        """Every target object of the document by name, with its path in the document."""

    def places(self, text: str) -> list[Place]:
        places = []
        for name, (_, container) in self.locate(parse_once(text)).items():
            environment = container.get(self.key)
            occurrences: dict[str, list[Occurrence]] = {}
            if isinstance(environment, jsonc.Object):
                for member in environment.members:
                    value = member.value
                    string = (
                        value.value
                        if isinstance(value, jsonc.Scalar) and isinstance(value.value, str)
                        else None
                    )
                    raw = text[value.start : value.end]
                    occurrences.setdefault(member.key, []).append(
                        Occurrence(member.key, string, raw)
                    )
            places.append(Place(name, occurrences))
        return places

    def apply_write(
        self, text: str, variables: dict[str, str], names: list[str]
    ) -> tuple[str, dict[str, Target]]:
        tree = parse_once(text)
        located = self.locate(tree)
        newline = jsonc.newline_of(text)
        entries = [(name, json.dumps(value)) for name, value in variables.items()]
        splices: list[jsonc.Splice] = []
        before: dict[str, Target] = {}
        expected = jsonc.to_python(tree)
        for name in names:
            path, container = located[name]
            unit = jsonc.indent_unit(text, container)
            environment = container.get(self.key)
            if environment is None:
                before[name] = Target(created=True, container_inner=_empty_inner(text, container))
                indent = _member_indent(text, container, unit)
                value = jsonc.object_text(entries, indent, unit, newline)
                splices += jsonc.set_members(text, container, [(self.key, value)], unit)
            elif isinstance(environment, jsonc.Object):
                before[name] = Target(empty_inner=_empty_inner(text, environment))
                own_unit = jsonc.indent_unit(text, environment) if environment.members else unit
                splices += jsonc.set_members(text, environment, entries, own_unit)
            else:
                raise ShapeError(f'{self.key} of {self.target_label} "{name}" is not an object')
            _at(expected, path).setdefault(self.key, {}).update(variables)
        result = jsonc.apply(text, splices)
        _verify(result, expected)
        return result, before

    def apply_clean(self, text: str, removals: Sequence[Removal], prints: frozenset[str]) -> str:
        tree = parse_once(text)
        located = self.locate(tree)
        expected = jsonc.to_python(tree)
        splices: list[jsonc.Splice] = []
        for removal in removals:
            path, container = located[removal.place.name]
            environment = container.get(self.key)
            assert isinstance(environment, jsonc.Object)
            env_splices, removed, restored = self._clean_environment(
                text, environment, removal, prints
            )
            _at(expected, path)[self.key] = {
                m.key: json.loads(restored[i]) if i in restored else jsonc.to_python(m.value)
                for i, m in enumerate(environment.members)
                if i not in removed
            }
            target = removal.target
            if len(removed) < len(environment.members) or target is None:
                splices += env_splices
            elif target.created:
                del _at(expected, path)[self.key]
                index = max(i for i, m in enumerate(container.members) if m.key == self.key)
                if len(container.members) == 1 and target.container_inner is not None:
                    start, end = jsonc.inner(container)
                    splices.append(jsonc.Splice(start, end, target.container_inner))
                else:
                    splices += jsonc.remove_members(text, container, {index})
            elif target.empty_inner is not None:
                start, end = jsonc.inner(environment)
                splices.append(jsonc.Splice(start, end, target.empty_inner))
            else:
                splices += env_splices
        result = jsonc.apply(text, splices)
        _verify(result, expected)
        return result

    def _clean_environment(
        self, text: str, environment: jsonc.Object, removal: Removal, prints: frozenset[str]
    ) -> tuple[list[jsonc.Splice], set[int], dict[int, str]]:
        """Splices that restore saved values and drop devcreds' members; the members dropped,
        and the raw texts restored, by index."""
        ours = removal.place.ours(prints)
        splices = []
        removed = set()
        restored = {}
        seen: dict[str, int] = {}
        for index, member in enumerate(environment.members):
            occurrence = seen.get(member.key, 0)
            seen[member.key] = occurrence + 1
            value = member.value
            mine = (
                member.key in ours
                and isinstance(value, jsonc.Scalar)
                and isinstance(value.value, str)
                and fingerprint(member.key, value.value) in prints
            )
            if not mine:
                continue
            raws = removal.restore.get(member.key)
            if raws is not None and occurrence < len(raws):
                splices.append(jsonc.Splice(value.start, value.end, raws[occurrence]))
                restored[index] = raws[occurrence]
            elif member.key in removal.remove or raws is not None:
                removed.add(index)
        splices += jsonc.remove_members(text, environment, removed)
        return splices, removed, restored


def _empty_inner(text: str, node: jsonc.Object) -> str | None:
    """The text between the braces of an object without members (None if it has some)."""
    if node.members:
        return None
    start, end = jsonc.inner(node)
    return text[start:end]


def _member_indent(text: str, container: jsonc.Object, unit: str) -> str:
    """The indentation of the container's members (one level in, if it has none)."""
    if container.members:
        return jsonc.indent_at(text, container.members[-1].key_start)
    return jsonc.indent_at(text, container.start) + unit


def _at(document: Any, path: Any) -> Any:
    for step in path:
        document = document[step]
    return document


def _verify(result: str, expected: Any) -> None:
    """The edited text must parse to exactly the intended document."""
    try:
        actual = jsonc.to_python(parse_once(result))
    except jsonc.JsoncError as exc:
        raise ShapeError(f"the edit would have broken the file ({exc}); it is untouched") from None
    if actual != expected:
        raise ShapeError("the edit would have changed more than intended; the file is untouched")
