"""The record of what devcreds wrote where: path, kind, profile, keys, expiry. Never a secret.

``clean`` and ``logout --clean`` undo exactly these writes; ``status`` shows them.
Kept in ``~/.aws/devcreds/sinks.json`` (0600 in a 0700 folder), changed under a lock.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from devcreds import cache
from devcreds.errors import FileError
from devcreds.files import LockTimeout, exclusive, private_dir
from devcreds.paths import Paths

JsonPath = list[str | int]


@dataclass(frozen=True)
class Record:
    path: str
    kind: str
    profile: str
    keys: list[str]
    written_at: str
    expires_at: str
    section: str | None = None  # the credentials-file profile written
    created: list[JsonPath] = field(default_factory=list)  # environment objects we added
    filled: list[JsonPath] = field(default_factory=list)  # environment objects that were {}
    targets: list[str] | None = None  # the launch profiles / configurations written; None: all

    def expired(self, now: dt.datetime) -> bool:
        return cache.parse_timestamp(self.expires_at) <= now

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Record | None:
        """A record as stored, or None if the entry is damaged (it is then forgotten)."""
        try:
            record = cls(**data)
        except TypeError:
            return None
        texts = (record.path, record.kind, record.profile, record.written_at, record.expires_at)
        if not all(isinstance(t, str) for t in texts) or not (
            isinstance(record.keys, list) and all(isinstance(k, str) for k in record.keys)
        ):
            return None
        paths_ok = all(
            isinstance(paths, list) and all(isinstance(p, list) for p in paths)
            for paths in (record.created, record.filled)
        )
        targets_ok = record.targets is None or (
            isinstance(record.targets, list) and all(isinstance(t, str) for t in record.targets)
        )
        if not (paths_ok and targets_ok):
            return None
        try:
            cache.parse_timestamp(record.expires_at)
        except ValueError:
            return None
        return record


def _file(paths: Paths) -> Path:
    return paths.state / "sinks.json"


def load(paths: Paths) -> list[Record]:
    data = cache.read_json(_file(paths)) or {}
    raw = data.get("sinks", [])
    records = [Record.from_json(item) for item in raw if isinstance(item, dict)]
    return [record for record in records if record is not None]


@contextlib.contextmanager
def _locked(paths: Paths) -> Iterator[list[Record]]:
    try:
        private_dir(paths.state)
    except OSError as exc:
        raise FileError(
            f"cannot create {paths.state}: {exc.strerror}", hint="check permissions"
        ) from None
    try:
        with exclusive(paths.state / "sinks.json.lock", timeout=60):
            records = load(paths)
            yield records
            cache.write_json(_file(paths), {"version": 1, "sinks": [vars(r) for r in records]})
    except LockTimeout:
        raise FileError(
            "another devcreds kept the record of written files locked", hint="retry"
        ) from None


def remember(paths: Paths, new: list[Record]) -> None:
    """Add ``new`` records, each replacing an older one for the same file and kind."""
    replaced = {(r.path, r.kind) for r in new}
    with _locked(paths) as records:
        records[:] = [r for r in records if (r.path, r.kind) not in replaced] + new


def forget(paths: Paths, record: Record) -> None:
    with _locked(paths) as records:
        records[:] = [r for r in records if (r.path, r.kind) != (record.path, record.kind)]
