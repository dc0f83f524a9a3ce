"""``.env`` files: splice values in place, append what is missing, take it out again.

The whole file is one target (named ``""``); a file devcreds created is
deleted again by ``clean`` when nothing else was added to it.

python-dotenv's parser locates each assignment (multi-line quoted values
included); its ``set_key`` is not used because it drops ``export``, inline
comments, CRLF and the BOM, and forces quotes that ``docker --env-file``
keeps literally. We only ever replace the value text of a line.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from devcreds.formats import dotenv_value
from devcreds.sinks.base import Occurrence, Place, Removal, ShapeError, Sink
from devcreds.sinks.record import Target, fingerprint

_ASSIGNMENT = re.compile(
    r"""(?P<head>[ \t]*(?:export[ \t]+)?(?P<key>[^\s=#]+)[ \t]*=[ \t]*)
        (?P<value>"(?:[^"\\]|\\.)*"|'[^']*'|[^\r\n]*?)
        (?=[ \t]+\#|[ \t]*(?:\r\n|\n|\r|$))""",
    re.VERBOSE | re.DOTALL,
)


@dataclass(frozen=True)
class Chunk:
    """One piece of the file as python-dotenv splits it: a binding, a comment, a blank line."""

    key: str | None
    text: str = field(repr=False)
    start: int
    value: str | None = field(repr=False)


def _chunks(text: str) -> list[Chunk]:
    from dotenv.parser import parse_stream

    chunks, offset = [], 0
    for binding in parse_stream(io.StringIO(text)):
        chunks.append(Chunk(binding.key, binding.original.string, offset, binding.value))
        offset += len(binding.original.string)
    if offset != len(text):  # would mean the parser skipped text: never edit blind
        raise ShapeError("the file could not be read line by line")
    return chunks


def _values(text: str) -> dict[str, str | None]:
    from dotenv import dotenv_values

    return dict(dotenv_values(stream=io.StringIO(text.removeprefix("\ufeff"))))


def _blank_lead(text: str) -> int:
    """How many characters of blank lines start ``text``."""
    return re.match(r"(?:[ \t]*(?:\r\n|\n|\r))*", text).end()  # type: ignore[union-attr]


def _newline(text: str) -> str:
    match = re.search(r"\r\n|\n|\r", text)
    return match.group() if match else "\n"


def set_variables(text: str, variables: dict[str, str]) -> str:
    """``text`` with each variable set: in place where it is, appended where it is not."""
    bom, body = ("\ufeff", text[1:]) if text.startswith("\ufeff") else ("", text)
    pieces = []
    found = set()
    for chunk in _chunks(body):
        if chunk.key in variables:
            match = _ASSIGNMENT.match(chunk.text, _blank_lead(chunk.text))
            if match is None:
                raise ShapeError(f"cannot find the value of {chunk.key} on its line")
            found.add(chunk.key)
            old = match.group("value")
            quote = old[0] if old[:1] in ("'", '"') and len(old) > 1 else ""
            value = variables[chunk.key]
            new = (
                f"{quote}{value}{quote}"
                if quote and value == dotenv_value(value)
                else dotenv_value(value)
            )
            pieces.append(
                chunk.text[: match.start("value")] + new + chunk.text[match.end("value") :]
            )
        else:
            pieces.append(chunk.text)
    result = "".join(pieces)
    missing = [
        f"{name}={dotenv_value(value)}" for name, value in variables.items() if name not in found
    ]
    if missing:
        newline = _newline(body)
        if result and not result.endswith(("\n", "\r")):
            result += newline + newline.join(
                missing
            )  # the file had no final newline: nor does it now
        else:
            result += "".join(line + newline for line in missing)
    expected = {**_values(text), **variables}
    if _values(bom + result) != expected:
        raise ShapeError("the edit would have changed more than intended; the file is untouched")
    return bom + result


def _value_span(chunk: Chunk) -> re.Match[str]:
    match = _ASSIGNMENT.match(chunk.text, _blank_lead(chunk.text))
    if match is None:
        raise ShapeError(f"cannot find the value of {chunk.key} on its line")
    return match


class Dotenv(Sink):
    kind = "dotenv"
    target_label = "file"
    creates_file = True

    def places(self, text: str) -> list[Place]:
        occurrences: dict[str, list[Occurrence]] = {}
        for chunk in _chunks(text.removeprefix("\ufeff")):
            if chunk.key is not None:
                raw = _value_span(chunk).group("value") if chunk.value is not None else ""
                occurrences.setdefault(chunk.key, []).append(
                    Occurrence(chunk.key, chunk.value, raw)
                )
        return [Place("", occurrences)]

    def apply_write(
        self, text: str, variables: dict[str, str], names: list[str]
    ) -> tuple[str, dict[str, Target]]:
        if not names:  # the one target was left out
            return text, {}
        return set_variables(text, variables), {"": Target()}

    def apply_clean(self, text: str, removals: Sequence[Removal], prints: frozenset[str]) -> str:
        """Restored values spliced back; lines devcreds added taken out (their blank lines stay,
        as python-dotenv hands blank lines to the assignment after them)."""
        (removal,) = removals
        bom, body = ("\ufeff", text[1:]) if text.startswith("\ufeff") else ("", text)
        chunks = _chunks(body)
        pieces = []
        expected: dict[str, str | None] = {}
        seen: dict[str, int] = {}
        last_removed = False
        for chunk in chunks:
            key, piece, last_removed = chunk.key, chunk.text, False
            if key is not None:
                occurrence = seen.get(key, 0)
                seen[key] = occurrence + 1
                mine = chunk.value is not None and fingerprint(key, chunk.value) in prints
                raws = removal.restore.get(key)
                if mine and raws is not None and occurrence < len(raws):
                    match = _value_span(chunk)
                    piece = (
                        piece[: match.start("value")]
                        + raws[occurrence]
                        + piece[match.end("value") :]
                    )
                    expected[key] = _raw_values(f"{key}={raws[occurrence]}").get(key)
                elif mine and (key in removal.remove or raws is not None):
                    piece, last_removed = piece[: _blank_lead(piece)], True
                else:
                    expected[key] = chunk.value
            pieces.append(piece)
        result = "".join(pieces)
        if last_removed and not body.endswith(("\n", "\r")):
            # We appended after the last line's break; the original ended without one.
            result = re.sub(r"(\r\n|\n|\r)$", "", result)
        if _raw_values(result) != expected:
            raise ShapeError(
                "the edit would have changed more than intended; the file is untouched"
            )
        return bom + result


def _raw_values(text: str) -> dict[str, str | None]:
    from dotenv import dotenv_values

    return dict(dotenv_values(stream=io.StringIO(text), interpolate=False))
