"""Write credentials into a sink file, record it, and take it back out.

Every write goes through ``files.rewrite`` (atomic, mode kept, re-done if the
file changed meanwhile) under a lock per file, so concurrent writers leave one
complete set of credentials.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from devcreds import files
from devcreds.cache import format_timestamp
from devcreds.errors import FileError
from devcreds.paths import Paths
from devcreds.sinks import jsonc, jsonfile, launchsettings, registry, vscode


@dataclass(frozen=True)
class Delivery:
    """What to write: the variables (secrets) and where they came from."""

    variables: dict[str, str] = field(repr=False)
    profile: str
    expires_at: dt.datetime


JSON_SINKS = {
    "launchsettings": (launchsettings.targets, launchsettings.KEY),
    "vscode": (vscode.targets, vscode.KEY),
}


@contextlib.contextmanager
def file_lock(paths: Paths, path: Path) -> Iterator[None]:
    """One devcreds writer per file at a time; the lock lives in our state folder."""
    import filelock

    locks = paths.state / "locks"
    files.private_dir(locks)
    name = hashlib.sha256(str(path).encode()).hexdigest()[:32]
    with filelock.FileLock(str(locks / f"sink-{name}.lock"), timeout=60):
        yield


def write_json(
    paths: Paths,
    kind: str,
    path: Path,
    delivery: Delivery,
    only: list[str] | None,
    now: dt.datetime,
) -> bool:
    """Set the variables in a launchSettings.json or launch.json; True if the file changed."""
    finder, key = JSON_SINKS[kind]
    edits: list[jsonfile.Edit] = []

    def edit(text: str) -> str:
        edits.clear()
        edits.append(jsonfile.set_environment(text, finder(only), key, delivery.variables))
        return edits[0].text

    with file_lock(paths, path), _json_errors(path):
        changed = files.rewrite(path, edit)
    previous = _previous(paths, kind, path)
    registry.remember(
        paths,
        registry.Record(
            path=str(path),
            kind=kind,
            profile=delivery.profile,
            keys=list(delivery.variables),
            written_at=format_timestamp(now),
            expires_at=format_timestamp(delivery.expires_at),
            # A rewrite over our own earlier write must still know what the first one added.
            created=_union(previous.created if previous else [], edits[0].created),
            filled=_union(previous.filled if previous else [], edits[0].filled),
        ),
    )
    return changed


def _previous(paths: Paths, kind: str, path: Path) -> registry.Record | None:
    return next((r for r in registry.load(paths) if (r.path, r.kind) == (str(path), kind)), None)


def _union(
    old: list[registry.JsonPath], new: list[tuple[str | int, ...]]
) -> list[registry.JsonPath]:
    merged = [list(p) for p in old]
    merged += [list(p) for p in new if list(p) not in merged]
    return merged


def clean(paths: Paths, record: registry.Record) -> bool:
    """Take out what ``record`` says we wrote; True if the file changed. Forgets the record."""
    path = Path(record.path)
    if record.kind in JSON_SINKS:
        finder, key = JSON_SINKS[record.kind]
        created = [tuple(p) for p in record.created]
        filled = [tuple(p) for p in record.filled]

        def edit(text: str) -> str:
            return jsonfile.remove_environment(
                text, finder(None), key, record.keys, created, filled
            )

        try:
            with file_lock(paths, path), _json_errors(path):
                changed = files.rewrite(path, edit)
        except FileError:
            if path.exists():
                raise
            changed = False  # the file is gone, and our secrets with it
    else:
        raise FileError(f"unknown sink kind {record.kind} in the record", hint="devcreds status")
    registry.forget(paths, record)
    return changed


@contextlib.contextmanager
def _json_errors(path: Path) -> Iterator[None]:
    try:
        yield
    except jsonc.JsoncError as exc:
        raise FileError(
            f"{path}: not valid JSON: {exc}",
            hint="fix the file (or undo your last edit), then retry",
        ) from None
    except jsonfile.ShapeError as exc:
        raise FileError(f"{path}: {exc}", hint="fix the file, then retry") from None
