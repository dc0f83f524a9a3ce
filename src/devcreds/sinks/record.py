"""The record of what devcreds wrote into one file, so ``clean`` can undo exactly that.

One record per file, keyed by the file's real path, in
``~/.aws/devcreds/sinks/`` (0600 files in 0700 folders), read and changed only
under that file's lock (``locked``). A record holds no secret: devcreds
recognises the values it wrote by their fingerprints, and the values it
replaced are kept apart, in ``~/.aws/devcreds/saved/``, because a user's own
value may be a secret (long-term keys in ``~/.aws/credentials``).

A write is recorded as ``pending`` before the file is touched and completed
after; a crash in between leaves a pending record that the next command on
that file settles (``settle``). Fields this version does not know are kept as
they are; a record that cannot be read is moved aside, never erased.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from devcreds import cache
from devcreds.errors import FileError
from devcreds.files import Fsync, LockTimeout, exclusive, private_dir
from devcreds.paths import Paths
from devcreds.platforms import HOST

VERSION = 2
State = Literal["added", "replaced"]  # a variable devcreds added, or one whose value it saved


def fingerprint(name: str, value: str) -> str:
    """Recognises a value devcreds wrote without keeping it: what it writes are random
    keys and tokens (and an expiry or region, which are no secret)."""
    return hashlib.sha256(f"{name}\0{value}".encode()).hexdigest()[:32]


@dataclass(frozen=True)
class Target:
    """What devcreds did to one target (launch profile, configuration, section, the file)."""

    names: dict[str, State] = field(default_factory=dict)
    created: bool = False  # the environment object / section / file was not there
    empty_inner: str | None = None  # the text between the braces of the empty object filled
    container_inner: str | None = None  # the same, for a target object that was empty

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"names": self.names, "created": self.created}
        if self.empty_inner is not None:
            data["emptyInner"] = self.empty_inner
        if self.container_inner is not None:
            data["containerInner"] = self.container_inner
        return data

    @classmethod
    def from_json(cls, data: Any) -> Target:
        _check(isinstance(data, dict), "target")
        names = data.get("names", {})
        _check(isinstance(names, dict), "names")
        _check(all(v in ("added", "replaced") for v in names.values()), "names")
        empty, container = data.get("emptyInner"), data.get("containerInner")
        _check(empty is None or isinstance(empty, str), "emptyInner")
        _check(container is None or isinstance(container, str), "containerInner")
        return cls(dict(names), bool(data.get("created", False)), empty, container)


@dataclass(frozen=True)
class Written:
    """The state of the file after a write: the part of a record a write produces."""

    profile: str
    written_at: str
    expires_at: str
    fingerprints: frozenset[str]
    targets: dict[str, Target]
    # "serve": the file points at devcreds serve (nothing in it expires); None: keys.
    via: str | None = None
    # The user's choices, which refresh and watch honour: --allow-tracked for a file git
    # tracked (or could not answer for) when it was written, and --with-region.
    allow_tracked: bool = False
    with_region: bool = False

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "profile": self.profile,
            "writtenAt": self.written_at,
            "expiresAt": self.expires_at,
            "fingerprints": sorted(self.fingerprints),
            "targets": {name: t.to_json() for name, t in self.targets.items()},
        }
        if self.via is not None:
            data["via"] = self.via
        if self.allow_tracked:
            data["allowTracked"] = True
        if self.with_region:
            data["withRegion"] = True
        return data

    @classmethod
    def from_json(cls, data: Any) -> Written:
        _check(isinstance(data, dict), "record")
        texts = [data.get(k) for k in ("profile", "writtenAt", "expiresAt")]
        _check(all(isinstance(t, str) for t in texts), "profile or times")
        try:
            if data["expiresAt"] or data.get("via") is None:  # a file pointing at serve: ""
                cache.parse_timestamp(data["expiresAt"])
        except (ValueError, OverflowError):
            raise _Damaged("expiresAt") from None
        prints = data.get("fingerprints", [])
        _check(isinstance(prints, list) and all(isinstance(p, str) for p in prints), "prints")
        targets = data.get("targets", {})
        _check(isinstance(targets, dict), "targets")
        via = data.get("via")
        _check(via is None or isinstance(via, str), "via")
        choices = [data.get(k, False) for k in ("allowTracked", "withRegion")]
        _check(all(isinstance(c, bool) for c in choices), "allowTracked or withRegion")
        return cls(
            data["profile"],
            data["writtenAt"],
            data["expiresAt"],
            frozenset(prints),
            {str(name): Target.from_json(t) for name, t in targets.items()},
            via,
            *choices,
        )


@dataclass(frozen=True)
class Record:
    """Everything devcreds knows about one file it wrote."""

    path: str  # the real path
    kind: str
    state: Written | None  # what the file holds of ours; None until a write completes
    pending: Written | None = None  # a write under way (or interrupted)
    temporary: str | None = None  # its temporary file, removed when the write is settled
    created_file: bool = False  # the file did not exist before devcreds' first write
    extra: dict[str, Any] = field(default_factory=dict)  # fields of a newer devcreds

    @property
    def fingerprints(self) -> frozenset[str]:
        """Every value this record may have put into the file, pending ones included."""
        prints = self.state.fingerprints if self.state else frozenset()
        return prints | (self.pending.fingerprints if self.pending else frozenset())

    def to_json(self) -> dict[str, Any]:
        return {
            **self.extra,
            "version": VERSION,
            "path": self.path,
            "kind": self.kind,
            "state": self.state.to_json() if self.state else None,
            "pending": self.pending.to_json() if self.pending else None,
            "temporary": self.temporary,
            "createdFile": self.created_file,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Record:
        _check(isinstance(data.get("path"), str) and isinstance(data.get("kind"), str), "path")
        version = data.get("version")
        if not isinstance(version, int):
            raise _Damaged("version")
        if version > VERSION:
            raise _Newer(version)
        temporary = data.get("temporary")
        _check(temporary is None or isinstance(temporary, str), "temporary")
        known = {"version", "path", "kind", "state", "pending", "temporary", "createdFile"}
        return cls(
            data["path"],
            data["kind"],
            Written.from_json(data["state"]) if data.get("state") is not None else None,
            Written.from_json(data["pending"]) if data.get("pending") is not None else None,
            temporary,
            bool(data.get("createdFile", False)),
            {k: v for k, v in data.items() if k not in known},
        )


class _Damaged(ValueError):
    """A record that does not have the shape this version writes."""


class _Newer(ValueError):
    def __init__(self, version: int) -> None:
        super().__init__(f"version {version}")
        self.version = version


def _check(condition: bool, what: str) -> None:
    if not condition:
        raise _Damaged(what)


def key(path: Path) -> str:
    """One name per file, however it is spelled: the real path's hash."""
    return hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:32]


def _records(paths: Paths) -> Path:
    return paths.state / "sinks"


def record_file(paths: Paths, path: Path) -> Path:
    return _records(paths) / f"{key(path)}.json"


def saved_file(paths: Paths, path: Path) -> Path:
    return paths.state / "saved" / f"{key(path)}.json"


def temp_dir(paths: Paths) -> Path:
    """Where temporary copies of users' files are written, out of sight of git and projects."""
    return paths.state / "tmp"


Saved = dict[str, dict[str, list[str]]]  # target -> variable -> the replaced raw texts, in order


@dataclass
class Entry:
    """A file's record and saved values, as held under its lock; ``save`` writes them back."""

    paths: Paths
    path: Path  # the real path
    record: Record | None
    saved: Saved = field(repr=False)
    warnings: list[str] = field(default_factory=list)
    fsync: Fsync = os.fsync

    def save(self, record: Record | None, saved: Saved | None = None) -> None:
        """Replace the record (None: forget the file) and, if given, the saved values.

        Saved values never exist without a record (``locked`` removes them as orphans):
        a record is written before its saved values, and forgotten after them.
        """
        if record is not None:
            self._write(record_file(self.paths, self.path), record.to_json())
        if saved is not None:
            self._write(saved_file(self.paths, self.path), saved if any(saved.values()) else None)
            self.saved = saved
        if record is None:
            self._write(record_file(self.paths, self.path), None)
        self.record = record

    def _write(self, file: Path, data: dict[str, Any] | None) -> None:
        if data is None:
            cache.remove(file)
            return
        cache.write_json(file, data, fsync=self.fsync)


@contextlib.contextmanager
def locked(paths: Paths, path: Path, *, fsync: Fsync = os.fsync) -> Iterator[Entry]:
    """The record of ``path`` under the lock every devcreds writer of that file takes."""
    real = path.resolve()
    locks = paths.state / "locks"
    try:
        private_dir(locks)
        private_dir(_records(paths))
    except OSError as exc:
        raise FileError(
            f"cannot create {locks}: {exc.strerror}", hint=HOST.show_permissions(paths.state)
        ) from None
    try:
        with exclusive(locks / f"sink-{key(real)}.lock", timeout=60):
            entry = Entry(paths, real, None, {}, fsync=fsync)
            _remove_leftovers(paths, real)
            entry.record = _load(paths, record_file(paths, real), entry.warnings)
            if entry.record is None:
                cache.remove(saved_file(paths, real))  # no record can need them
            entry.saved = _load_saved(saved_file(paths, real)) if entry.record else {}
            yield entry
    except LockTimeout as exc:
        raise FileError(
            f"{exc.holder_text()} kept {path} locked for a minute",
            hint="retry when it has finished",
        ) from None
    except PermissionError as exc:
        raise FileError(
            f"cannot open the lock of {path}: {exc.strerror}", hint=HOST.show_permissions(locks)
        ) from None


def _load(paths: Paths, file: Path, warnings: list[str]) -> Record | None:
    try:
        data = json.loads(file.read_bytes())
    except FileNotFoundError:
        return None
    except (OSError, ValueError, RecursionError) as exc:
        return _move_aside(file, type(exc).__name__, warnings)
    if not isinstance(data, dict):
        return _move_aside(file, "not an object", warnings)
    try:
        return Record.from_json(data)
    except _Newer as exc:
        raise FileError(
            f"{file} was written by a newer devcreds (record {exc})",
            hint="use that devcreds for this file, or upgrade: pipx upgrade devcreds",
        ) from None
    except (_Damaged, TypeError, ValueError, OverflowError, RecursionError, AttributeError) as exc:
        return _move_aside(file, str(exc), warnings)


def _remove_leftovers(paths: Paths, real: Path) -> None:
    """Temporary copies of this file's record and saved values that a killed writer left
    (``atomic_write`` names them ``.NAME.RANDOM.tmp``); under the lock no writer is alive."""
    name = key(real)
    for folder in (_records(paths), saved_file(paths, real).parent):
        for leftover in folder.glob(f".{name}.json.*.tmp") if folder.is_dir() else []:
            cache.remove(leftover)


def _move_aside(file: Path, why: str, warnings: list[str]) -> Record | None:
    """Keep an unreadable record (and the saved values it refers to) under a new name."""
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
    suffix = f".unreadable-{stamp}-{secrets.token_hex(3)}"
    aside = file.with_name(file.name + suffix)
    saved = file.parent.parent / "saved" / file.name
    try:
        file.replace(aside)
        if saved.exists():
            saved.replace(saved.with_name(saved.name + suffix))
    except OSError:
        aside = file
    warnings.append(
        f"the record {file.name} could not be read ({why}); it is kept as {aside} and "
        "the file it describes may still hold credentials devcreds wrote"
    )
    return None


def _load_saved(file: Path) -> Saved:
    data = cache.read_json(file) or {}
    saved: Saved = {}
    for target, names in data.items():
        if isinstance(names, dict):
            saved[target] = {
                n: [t for t in texts if isinstance(t, str)]
                for n, texts in names.items()
                if isinstance(texts, list)
            }
    return saved


def load_all(paths: Paths) -> tuple[list[Record], list[str]]:
    """Every record, read without locks (for ``status``), and a warning per unreadable one."""
    records, warnings = [], []
    folder = _records(paths)
    for file in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        try:
            data = json.loads(file.read_bytes())
            records.append(Record.from_json(data))
        except _Newer as exc:
            warnings.append(f"{file} was written by a newer devcreds ({exc})")
        except (OSError, ValueError, TypeError, RecursionError, AttributeError) as exc:
            warnings.append(f"the record {file} could not be read ({type(exc).__name__})")
    return records, warnings


def with_state(record: Record, state: Written | None) -> Record:
    """The record once a write (or clean) is settled: no pending part, no temporary file."""
    return replace(record, state=state, pending=None, temporary=None)
