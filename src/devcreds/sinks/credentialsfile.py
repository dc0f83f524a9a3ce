"""A profile in the shared credentials file (``~/.aws/credentials``), for tools reading only it.

Line by line, not through configupdater (which the config file's edits use):
configupdater renders a changed option as ``key = value`` whatever its
spacing was, so a user's ``aws_access_key_id=AKIA…`` could not come back byte
for byte after ``clean``. Lines are read with the rules of the
``RawConfigParser`` botocore uses (``#``/``;`` comment lines, indented
continuation lines, ``=`` or ``:``), and every result is parsed by it and
checked to be exactly the intended change.
"""

from __future__ import annotations

import configparser
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from devcreds import awsconfig
from devcreds.errors import UsageError
from devcreds.sinks.base import Occurrence, Place, Removal, ShapeError, Sink
from devcreds.sinks.record import Target, fingerprint

# What devcreds writes, under the names botocore reads.
KEYS = {
    "AWS_ACCESS_KEY_ID": "aws_access_key_id",
    "AWS_SECRET_ACCESS_KEY": "aws_secret_access_key",
    "AWS_SESSION_TOKEN": "aws_session_token",
}
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)?")
_SECTION = re.compile(r"\[(?P<name>.+)\]")  # configparser's SECTCRE, on the stripped line
_OPTION = re.compile(r"(?P<key>.*?)\s*[=:]\s*(?P<value>.*)$")  # its OPTCRE
_NAME = re.compile(r"^[^\[\]\r\n]+$")
_UNINTENDED = "the edit would have changed more than intended; the file is untouched"


@dataclass
class _Option:
    key: str
    line: int  # index of its first line
    end_line: int  # index after its last (continuation) line
    start: int  # offset of its value in the text
    end: int
    value: str | None = field(repr=False)  # None for a multi-line value


@dataclass
class _Section:
    name: str
    header: int  # line index of the header
    end_line: int  # line index after its last line
    options: list[_Option] = field(default_factory=list)


def _lines(text: str) -> list[tuple[int, str]]:
    """(offset, line with its ending) for each line."""
    found = []
    for match in _LINE.finditer(text):
        if match.group():
            found.append((match.start(), match.group()))
    return found


def _scan(text: str) -> tuple[list[tuple[int, str]], list[_Section]]:
    lines = _lines(text)
    sections: list[_Section] = []
    option: _Option | None = None
    option_indent = 0
    for index, (offset, line) in enumerate(lines):
        content = line.rstrip("\r\n")
        stripped = content.strip()
        if not stripped or stripped[0] in "#;":
            continue
        indent = len(content) - len(content.lstrip())
        if option is not None and indent > option_indent:
            option.end_line, option.value = index + 1, None  # a continuation line
            continue
        if match := _SECTION.match(stripped):
            if sections:
                sections[-1].end_line = index
            sections.append(_Section(match.group("name"), index, len(lines)))
            option = None
            continue
        match = _OPTION.match(stripped)
        if not sections or match is None:
            raise ShapeError(f"line {index + 1} is neither a section nor an option")
        value_start = offset + indent + match.start("value")
        value_end = offset + len(content.rstrip())
        option = _Option(
            match.group("key").lower(),
            index,
            index + 1,
            value_start,
            max(value_start, value_end),
            text[value_start:value_end],
        )
        option_indent = indent
        sections[-1].options.append(option)
    return lines, sections


def _newline(text: str) -> str:
    match = re.search(r"\r\n|\n|\r", text)
    return match.group() if match else "\n"


def _parse(text: str) -> dict[str, dict[str, str]]:
    """The file as botocore's RawConfigParser reads it."""
    parser = configparser.RawConfigParser()
    universal = text.replace("\r\n", "\n").replace("\r", "\n")
    try:
        parser.read_string(universal)
    except configparser.Error as exc:
        line, reason = awsconfig.parse_problem(exc, universal)
        where = f"line {line}: " if line else ""
        raise ShapeError(f"botocore cannot parse it: {where}{reason}") from None
    return {section: dict(parser.items(section)) for section in parser.sections()}


class CredentialsFile(Sink):
    kind = "credentials"
    target_label = "profile"
    creates_file = True
    creates_targets = True
    creates_folders = True
    mode = 0o600  # it holds secrets, whatever its mode was before

    def places(self, text: str) -> list[Place]:
        _check_bom(text)
        _parse(text)  # botocore's verdict first: it names the line and what is wrong there
        _, sections = _scan(text)
        places = []
        for section in sections:
            occurrences = {
                o.key: [Occurrence(o.key, o.value, text[o.start : o.end])] for o in section.options
            }
            places.append(Place(section.name, occurrences))
        return places

    def skipped(self, places: list[Place], text: str, via: str | None) -> dict[str, str]:
        return {}  # write credentials always names its profile (``only``)

    def select(self, variables: dict[str, str]) -> dict[str, str]:
        return {key: variables[name] for name, key in KEYS.items()}

    def apply_write(
        self, text: str, variables: dict[str, str], names: list[str]
    ) -> tuple[str, dict[str, Target]]:
        (name,) = names
        if not _NAME.match(name) or name != name.strip():
            raise UsageError(
                f"{name!r} cannot be a profile name in {self.kind}",
                hint="devcreds write credentials --as NAME (letters, digits, - and _)",
            )
        values = variables
        if any("\r" in v or "\n" in v for v in values.values()):
            raise ShapeError("a value with a line break cannot be stored")
        before = _parse(text)
        lines, sections = _scan(text)
        newline = _newline(text)
        section = next((s for s in reversed(sections) if s.name == name), None)
        splices: list[tuple[int, int, str]] = []
        if section is None:
            separator = "" if not text else ("" if text.endswith(("\n", "\r")) else newline)
            separator += newline if text.strip() else ""
            body = "".join(f"{k} = {v}{newline}" for k, v in values.items())
            splices.append((len(text), len(text), f"{separator}[{name}]{newline}{body}"))
            container = Target(created=True, container_inner=separator)
        else:
            existing = {o.key: o for o in section.options}
            missing = []
            for key, value in values.items():
                if key in existing:
                    option = existing[key]
                    if option.value is None:
                        raise ShapeError(f"{key} of [{name}] spans several lines")
                    splices.append((option.start, option.end, value))
                else:
                    missing.append(f"{key} = {value}")
            if missing:
                after = section.options[-1].end_line if section.options else section.header + 1
                at, line_end = _line_end(lines, after - 1, text)
                if line_end:
                    added = "".join(m + newline for m in missing)
                else:  # the file's last line had no line break: nor does it now
                    added = newline + newline.join(missing)
                splices.append((at, at, added))
            container = Target()
        result = _splice(text, splices)
        expected = {s: dict(v) for s, v in before.items()}
        expected.setdefault(name, {}).update(values)
        if _parse(result) != expected:
            raise ShapeError(
                "the edit would have changed more than intended; the file is untouched"
            )
        return result, {name: container}

    def apply_clean(self, text: str, removals: Sequence[Removal], prints: frozenset[str]) -> str:
        _check_bom(text)
        expected = _parse(text)
        lines, sections = _scan(text)
        splices: list[tuple[int, int, str]] = []
        at_end = False  # a line taken out was the file's last
        by_name = {s.name: s for s in sections}
        for removal in removals:
            section = by_name[removal.place.name]
            dropped: set[int] = set()  # the first line of each option taken out
            for option in section.options:
                if option.value is None or fingerprint(option.key, option.value) not in prints:
                    continue
                raws = removal.restore.get(option.key)
                if raws:
                    splices.append((option.start, option.end, raws[0]))
                    expected[section.name][option.key] = _parse(f"[x]\n{option.key} = {raws[0]}\n")[
                        "x"
                    ][option.key]
                else:
                    start = lines[option.line][0]
                    end = _line_end(lines, option.end_line - 1, text)[0]
                    splices.append((start, end, ""))
                    at_end = at_end or end == len(text)
                    expected[section.name].pop(option.key)
                    dropped.add(option.line)
            gone = {
                i for o in section.options if o.line in dropped for i in range(o.line, o.end_line)
            }
            rest = [
                i
                for i in range(section.header + 1, section.end_line)
                if i not in gone and lines[i][1].strip()
            ]
            target = removal.target
            if target is not None and target.created and not rest:
                # The section devcreds appended goes, with the blank line it put before it.
                separator = target.container_inner or ""
                start = lines[section.header][0]
                if text[:start].endswith(separator):
                    start -= len(separator)
                splices.append((start, _line_end(lines, section.header, text)[0], ""))
                del expected[section.name]
        result = _splice(text, splices)
        if at_end and not text.endswith(("\n", "\r")):
            # The write put its lines after the last line's break; the file had none there.
            result = re.sub(r"(\r\n|\n|\r)$", "", result)
        if _parse(result) != expected:
            raise ShapeError(
                "the edit would have changed more than intended; the file is untouched"
            )
        return result


def _check_bom(text: str) -> None:
    if text.startswith("\ufeff"):
        raise ShapeError("it starts with a byte-order mark, which botocore cannot read")


def _line_end(lines: list[tuple[int, str]], index: int, text: str) -> tuple[int, bool]:
    """The offset after line ``index`` and whether that line ended with a line break."""
    if index < 0 or not lines:
        return 0, True
    offset, line = lines[index]
    return offset + len(line), line.endswith(("\n", "\r"))


def _splice(text: str, splices: list[tuple[int, int, str]]) -> str:
    pieces, position = [], 0
    for start, end, new in sorted(splices):
        pieces += [text[position:start], new]
        position = end
    return "".join(pieces) + text[position:]
