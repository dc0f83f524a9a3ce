"""Round-trip edits of the AWS INI files (config and credentials) through configupdater.

configupdater keeps comments, order and spacing. We add what it lacks
(measured in samples/ini): the file's own line endings, new keys right after
a section's last option (not after its trailing blank lines), a blank line
before a new section, no CR/LF inside values, and a check that the result
parses like botocore parses it, with exactly the intended change, before the
file is replaced.
"""

from __future__ import annotations

import configparser
import re
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from devcreds import files
from devcreds.errors import FileError, UsageError
from devcreds.platforms import HOST

if TYPE_CHECKING:
    from configupdater import ConfigUpdater, Section

Changes = Mapping[str, Mapping[str, str]]  # section name -> key -> value
_NAME = re.compile(r"^[^\[\]\r\n]+$")
_KEY = re.compile(r"^[a-z0-9_]+$")


def update(
    path: Path, changes: Changes, *, remove: Collection[str] = (), mode: int | None = None
) -> bool:
    """Set ``changes`` in the INI file at ``path`` (created if missing) and delete the
    sections named in ``remove``; True if it changed.

    ``mode`` forces the file's permissions (0600 for a file that holds secrets);
    by default an existing file keeps its own and a new one is 0600.
    """
    _check(changes)
    return files.rewrite(
        path,
        lambda text: _edit(path, (text or "").encode("utf-8"), changes, remove).decode("utf-8"),
        mode=mode,
        create=True,
    )


def preview(path: Path, changes: Changes, *, remove: Collection[str] = ()) -> tuple[str, str]:
    """The file's text now and as ``update`` would leave it; nothing is written."""
    _check(changes)
    original = _read(path)
    return original.decode("utf-8", "replace"), _edit(path, original, changes, remove).decode(
        "utf-8"
    )


def commented(path: Path) -> set[str]:
    """The sections that hold a comment line: a person wrote in them."""
    from configupdater import Comment

    _, _, updater = _load(path, _read(path))
    return {
        section.name
        for section in updater.iter_sections()
        if any(isinstance(block, Comment) for block in section.iter_blocks())
    }


def _check(changes: Changes) -> None:
    for section, values in changes.items():
        if not _NAME.match(section) or section != section.strip():
            raise UsageError(
                f"invalid section name {section!r}", hint="use letters, digits, - and _"
            )
        for key, value in values.items():
            if not _KEY.match(key):
                raise UsageError(f"invalid key {key!r}", hint="keys are lower-case words")
            if "\r" in value or "\n" in value or value != value.strip():
                raise UsageError(
                    f"invalid value for {key}: line breaks and outer spaces cannot be stored",
                    hint="pass the value on one line",
                )


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return b""
    except IsADirectoryError:
        raise FileError(f"{path} is a folder, not a file", hint=f"move it away: {path}") from None
    except OSError as exc:
        raise FileError(
            f"cannot read {path}: {exc.strerror or exc}", hint=HOST.show_permissions(path)
        ) from None


def _newline(text: str) -> str:
    if "\r\n" in text:
        return "\r\n"
    if "\r" in text:
        return "\r"
    return "\n"


def _load(path: Path, original: bytes) -> tuple[str, str, ConfigUpdater]:
    """The file's newline, its text with LF line breaks, and configupdater's model of it."""
    from configupdater import ConfigUpdater
    from configupdater.parser import ParsingError

    if original.startswith(b"\xef\xbb\xbf"):
        raise FileError(
            f"{path} starts with a byte-order mark, which botocore cannot read",
            hint=f"save {path} as UTF-8 without BOM",
        )
    try:
        text = original.decode("utf-8")
    except UnicodeDecodeError:
        raise FileError(f"{path} is not UTF-8 text", hint=f"save {path} as UTF-8") from None
    lf_text = text.replace("\r\n", "\n").replace("\r", "\n")
    updater = ConfigUpdater()
    try:
        updater.read_string(lf_text)
    except (configparser.Error, ParsingError) as exc:
        raise _unparsable(path, exc) from None
    return _newline(text), lf_text, updater


def _edit(path: Path, original: bytes, changes: Changes, remove: Collection[str] = ()) -> bytes:
    newline, lf_text, updater = _load(path, original)
    before = _parse(path, lf_text)
    sections = updater.sections()
    last_removed = bool(sections) and sections[-1] in remove
    for section in remove:
        if updater.has_section(section):
            updater.remove_section(section)
    appended = []
    for section, values in changes.items():
        if updater.has_section(section):
            _set_in_section(updater[section], values)
        else:
            body = "".join(f"{key} = {value}\n" for key, value in values.items())
            appended.append(f"[{section}]\n{body}")
    result = str(updater)
    if last_removed and result.endswith("\n\n"):
        # The blank line that set the removed last section apart (as an append writes it).
        result = result[:-1]
    if appended:
        if result and not result.endswith("\n"):
            result += "\n"
        if result.strip():
            result += "\n"
        result += "\n".join(appended)
    _verify(path, before, _parse(path, result), changes, remove)
    return result.replace("\n", newline).encode("utf-8")


def _set_in_section(section: Section, values: Mapping[str, str]) -> None:
    for key, value in values.items():
        if key in section:
            section[key].value = value
            continue
        options = list(section.iter_options())
        if options:
            options[-1].add_after.option(key, value)
        elif first := next(iter(section.iter_blocks()), None):
            first.add_before.option(key, value)  # before the section's comments and blank lines
        else:
            section.set(key, value)


def _parse(path: Path, text: str) -> dict[str, dict[str, str]]:
    """The file as botocore's RawConfigParser reads it."""
    parser = configparser.RawConfigParser()
    try:
        parser.read_string(text, source=str(path))
    except configparser.Error as exc:
        raise _unparsable(path, exc) from None
    return {section: dict(parser.items(section)) for section in parser.sections()}


def _unparsable(path: Path, exc: Exception) -> UsageError:
    first_line = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return UsageError(
        f"cannot parse {path}: {first_line}",
        hint=f"fix the file by hand; botocore and the AWS CLI reject it too: {path}",
    )


def _verify(
    path: Path,
    before: dict[str, dict[str, str]],
    after: dict[str, dict[str, str]],
    changes: Changes,
    remove: Collection[str],
) -> None:
    """The edit must be exactly the intended change, as botocore will read it."""
    expected = {
        section: dict(values) for section, values in before.items() if section not in remove
    }
    for section, values in changes.items():
        expected.setdefault(section, {}).update(values)
    if after != expected:
        raise FileError(
            f"editing {path} would have changed more than intended; the file is untouched",
            hint="please report this with a copy of the file (remove secrets first)",
        )
