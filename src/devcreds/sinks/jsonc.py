"""A surgical editor for JSON with comments (launchSettings.json, .vscode/launch.json).

Our own code, because no library does this job (measured on the samples, see
tests/samples/README.md): load-dump libraries drop comments and reformat;
json-five needs a large adapter and writes single-quoted strings .NET rejects;
Microsoft's jsonc-parser (Node) edits malformed input silently.

How it works: tokenize with offsets, parse into objects whose members know
where their key, value and comma are, then splice text at those offsets only.
Inserted members copy their siblings' indentation, the file's line ending and
its trailing-comma style; nothing that is not plain JSON is ever added. The
caller re-parses the result and checks it is "original + intended change"
before the file is replaced (see ``apply``).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

_TOKEN = re.compile(
    r"""
    (?P<ws>[ \t\r\n\ufeff]+)
  | (?P<line_comment>//[^\r\n]*)
  | (?P<block_comment>/\*.*?\*/)
  | (?P<string>"(?:[^"\\\r\n]|\\.)*")
  | (?P<number>-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)
  | (?P<literal>true|false|null)
  | (?P<punct>[{}\[\]:,])
    """,
    re.VERBOSE | re.DOTALL,
)
_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}


class JsoncError(ValueError):
    """Text that is not JSON with comments; carries a 1-based line and column."""

    def __init__(self, message: str, text: str, offset: int) -> None:
        self.line = (
            text.count("\n", 0, offset)
            + text.count("\r", 0, offset)
            - text.count("\r\n", 0, offset)
            + 1
        )
        line_start = max(text.rfind("\n", 0, offset), text.rfind("\r", 0, offset)) + 1
        self.column = offset - line_start + 1
        super().__init__(f"{message} at line {self.line}, column {self.column}")


@dataclass
class Token:
    kind: str
    start: int
    end: int


@dataclass
class Node:
    start: int
    end: int


@dataclass
class Scalar(Node):
    value: Any


@dataclass
class Array(Node):
    items: list[Node] = field(default_factory=list)


@dataclass
class Member:
    key: str
    key_start: int
    value: Node
    comma: int | None = None  # offset of the comma after the value, if any


@dataclass
class Object(Node):
    members: list[Member] = field(default_factory=list)

    def get(self, key: str) -> Node | None:
        """The value of the last member named ``key`` (the last duplicate wins, as in .NET)."""
        found = [m.value for m in self.members if m.key == key]
        return found[-1] if found else None


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            snippet = text[position : position + 1]
            if text.startswith("/*", position):
                raise JsoncError("unterminated comment", text, position)
            if snippet == '"':
                raise JsoncError("unterminated string", text, position)
            raise JsoncError(f"unexpected character {snippet!r}", text, position)
        kind = match.lastgroup or ""
        if kind not in ("ws", "line_comment", "block_comment"):
            tokens.append(Token(match.group() if kind == "punct" else kind, position, match.end()))
        position = match.end()
    return tokens


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self.index = 0

    def parse(self) -> Node:
        if not self.tokens:
            raise JsoncError("the file is empty", self.text, len(self.text))
        node = self._value()
        if self.index < len(self.tokens):
            raise JsoncError("unexpected text after the end", self.text, self._peek().start)
        return node

    def _peek(self) -> Token:
        if self.index >= len(self.tokens):
            raise JsoncError("unexpected end of file", self.text, len(self.text))
        return self.tokens[self.index]

    def _take(self, kind: str) -> Token:
        token = self._peek()
        if token.kind != kind:
            wanted = "a name in double quotes" if kind == "string" else repr(kind)
            raise JsoncError(f"expected {wanted}", self.text, token.start)
        self.index += 1
        return token

    def _value(self) -> Node:
        token = self._peek()
        if token.kind == "{":
            return self._object()
        if token.kind == "[":
            return self._array()
        if token.kind in ("string", "number", "literal"):
            self.index += 1
            return Scalar(token.start, token.end, _scalar(self.text, token))
        raise JsoncError("expected a value", self.text, token.start)

    def _object(self) -> Object:
        node = Object(self._take("{").start, 0)
        while self._peek().kind != "}":
            key_token = self._take("string")
            self._take(":")
            member = Member(_scalar(self.text, key_token), key_token.start, self._value())
            node.members.append(member)
            if self._peek().kind == ",":
                member.comma = self._take(",").start
            elif self._peek().kind != "}":
                raise JsoncError("expected ',' or '}'", self.text, self._peek().start)
        node.end = self._take("}").end
        return node

    def _array(self) -> Array:
        node = Array(self._take("[").start, 0)
        while self._peek().kind != "]":
            node.items.append(self._value())
            if self._peek().kind == ",":
                self.index += 1
            elif self._peek().kind != "]":
                raise JsoncError("expected ',' or ']'", self.text, self._peek().start)
        node.end = self._take("]").end
        return node


def _scalar(text: str, token: Token) -> Any:
    raw = text[token.start : token.end]
    if token.kind == "string" and "\\" not in raw:
        return raw[1:-1]  # most strings have no escape: skip the substitution
    if token.kind == "string":
        # Lenient like VS Code: an unknown escape such as \' stands for the character.
        return re.sub(
            r"\\(u[0-9a-fA-F]{4}|.)",
            lambda m: (
                chr(int(m.group(1)[1:], 16))
                if m.group(1).startswith("u") and len(m.group(1)) == 5
                else _ESCAPES.get(m.group(1), m.group(1))
            ),
            raw[1:-1],
        )
    return json.loads(raw)


def parse(text: str) -> Node:
    """The document's tree; ``JsoncError`` names the line and column of the first problem."""
    return _Parser(text).parse()


def to_python(node: Node) -> Any:
    """Plain Python values, the last duplicate key winning."""
    if isinstance(node, Object):
        return {m.key: to_python(m.value) for m in node.members}
    if isinstance(node, Array):
        return [to_python(item) for item in node.items]
    assert isinstance(node, Scalar)
    return node.value


# --- editing -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Splice:
    start: int
    end: int
    text: str


def apply(text: str, splices: list[Splice]) -> str:
    """Apply non-overlapping splices (any order) in one pass over ``text``."""
    pieces = []
    position = 0
    for splice in sorted(splices, key=lambda s: (s.start, s.end)):
        pieces.append(text[position : splice.start])
        pieces.append(splice.text)
        position = splice.end
    pieces.append(text[position:])
    return "".join(pieces)


def newline_of(text: str) -> str:
    """The file's line ending: CRLF, LF or (rare, but real) CR alone."""
    match = re.search(r"\r\n|\n|\r", text)
    return match.group() if match else "\n"


def _line_start(text: str, offset: int) -> int:
    # The CR search starts at the last LF: unbounded, it would scan back to the start of an
    # LF-only file on every call, making edits quadratic in the file's size (bench/).
    newline = text.rfind("\n", 0, offset)
    return max(newline, text.rfind("\r", max(newline, 0), offset)) + 1


def indent_at(text: str, offset: int) -> str:
    """The whitespace that begins the line ``offset`` is on."""
    start = _line_start(text, offset)
    return re.match(r"[ \t]*", text[start:offset]).group()  # type: ignore[union-attr]


def _own_line(text: str, offset: int) -> bool:
    """Whether only indentation stands before ``offset`` on its line."""
    start = _line_start(text, offset)
    return text[start:offset].strip(" \t\ufeff") == ""


def _line_end(text: str, offset: int) -> int:
    """The offset of the line break ending the line ``offset`` is on (or the end of text)."""
    match = re.compile(r"\r\n|\n|\r").search(text, offset)
    return match.start() if match else len(text)


def indent_unit(text: str, node: Object) -> str:
    """One level of indentation as this object's members use it (two spaces if unknown)."""
    if node.members and _own_line(text, node.members[0].key_start):
        outer = indent_at(text, node.start)
        inner = indent_at(text, node.members[0].key_start)
        if inner.startswith(outer) and len(inner) > len(outer):
            return inner[len(outer) :]
    return "  "


def object_text(entries: list[tuple[str, str]], indent: str, unit: str, newline: str) -> str:
    """A new multi-line object whose closing brace sits at ``indent``."""
    if not entries:
        return "{}"
    body = f",{newline}".join(f"{indent}{unit}{json.dumps(k)}: {v}" for k, v in entries)
    return f"{{{newline}{body}{newline}{indent}}}"


def set_members(text: str, node: Object, entries: list[tuple[str, str]], unit: str) -> list[Splice]:
    """Splices that give ``node`` these members (key, JSON value text): replace or append."""
    splices = []
    missing = []
    for key, value in entries:
        existing = [m for m in node.members if m.key == key]
        for member in existing:
            if text[member.value.start : member.value.end] != value:
                splices.append(Splice(member.value.start, member.value.end, value))
        if not existing:
            missing.append((key, value))
    if missing:
        splices.extend(_insert(text, node, missing, unit))
    return splices


def _insert(text: str, node: Object, entries: list[tuple[str, str]], unit: str) -> list[Splice]:
    newline = newline_of(text)
    if not node.members:
        # Expand an empty object: members one level in, the brace back where it was.
        outer = indent_at(text, node.start)
        inner = text[node.start + 1 : node.end - 1]
        members = f",{newline}".join(f"{outer}{unit}{json.dumps(k)}: {v}" for k, v in entries)
        if "\n" in inner or "\r" in inner:  # already open over lines: keep them
            return [Splice(node.start + 1, node.start + 1, f"{newline}{members}")]
        return [Splice(node.start + 1, node.end - 1, f"{newline}{members}{newline}{outer}")]
    last = node.members[-1]
    trailing = last.comma is not None  # keep the file's trailing-comma style
    if not _own_line(text, last.key_start):
        # A one-line object stays on one line.
        members = ", ".join(f"{json.dumps(k)}: {v}" for k, v in entries)
        if trailing:
            assert last.comma is not None
            return [Splice(last.comma + 1, last.comma + 1, f" {members},")]
        return [Splice(last.value.end, last.value.end, f", {members}")]
    indent = indent_at(text, last.key_start)
    block = "".join(
        f"{newline}{indent}{json.dumps(k)}: {v}" + ("," if trailing or i < len(entries) - 1 else "")
        for i, (k, v) in enumerate(entries)
    )
    if trailing:
        assert last.comma is not None
        at = _after_line(text, last.comma + 1)
        return [Splice(at, at, block)]
    # The comma goes right after the value, the members after whatever ends that line.
    at = _after_line(text, last.value.end)
    if at == last.value.end:
        return [Splice(at, at, "," + block)]
    return [Splice(last.value.end, last.value.end, ","), Splice(at, at, block)]


def _after_line(text: str, offset: int) -> int:
    """Where new lines go after ``offset``: the end of its line if only a // comment follows."""
    end = _line_end(text, offset)
    rest = text[offset:end].strip(" \t")
    return end if rest == "" or rest.startswith("//") else offset


def remove_members(text: str, node: Object, indices: set[int]) -> list[Splice]:
    """Splices that take the members at ``indices`` out; they undo what ``set_members`` added.

    All at once, from one parse: each run of neighbouring members goes with its
    commas, so the result keeps the object's comma style (a trailing comma
    stays only if the last kept member had one before).
    """
    splices: list[Splice] = []
    members = node.members
    index = 0
    while index < len(members):
        if index not in indices:
            index += 1
            continue
        first = index
        while index + 1 < len(members) and index + 1 in indices:
            index += 1
        last = members[index]
        previous = members[first - 1] if first > 0 else None
        previous_comma = previous.comma if previous is not None else None
        at_end = index == len(members) - 1
        if at_end and last.comma is None and previous_comma is not None:
            # The last members go, so the comma before them would dangle: it goes too.
            splices.append(Splice(previous_comma, previous_comma + 1, ""))
        end = last.comma + 1 if last.comma is not None else last.value.end
        key_start = members[first].key_start
        if _own_line(text, key_start):
            start = _line_start(text, key_start)
            start -= 2 if text[max(0, start - 2) : start] == "\r\n" else min(start, 1)
        else:
            start = previous_comma + 1 if previous_comma is not None else node.start + 1
        splices.append(Splice(start, end, ""))
        index += 1
    return splices


def inner(node: Object | Array) -> tuple[int, int]:
    """The span between a container's brackets."""
    return node.start + 1, node.end - 1
