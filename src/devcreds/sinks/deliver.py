"""Write credentials into a sink file, record it, and take it back out.

Every write goes through ``files.rewrite`` (atomic, mode kept, re-done if the
file changed meanwhile) under a lock per file, so concurrent writers leave one
complete set of credentials.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from devcreds import files, inifile
from devcreds.cache import format_timestamp
from devcreds.errors import FileError
from devcreds.paths import Paths
from devcreds.sinks import dotenv, jsonc, jsonfile, launchsettings, registry, vscode


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
    locks = paths.state / "locks"
    try:
        files.private_dir(locks)
    except OSError as exc:
        raise FileError(
            f"cannot create {locks}: {exc.strerror}", hint=f"ls -ld {locks.parent}"
        ) from None
    name = hashlib.sha256(str(path).encode()).hexdigest()[:32]
    try:
        with files.exclusive(locks / f"sink-{name}.lock", timeout=60):
            yield
    except files.LockTimeout:
        raise FileError(f"another devcreds kept {path} locked for a minute", hint="retry") from None


Written = tuple[bool, registry.Record]  # whether the file changed, and the record to keep


def write_json(
    paths: Paths,
    kind: str,
    path: Path,
    delivery: Delivery,
    only: list[str] | None,
    now: dt.datetime,
    previous: registry.Record | None,
) -> Written:
    """Set the variables in a launchSettings.json or launch.json."""
    finder, key = JSON_SINKS[kind]
    edits: list[jsonfile.Edit] = []

    def edit(text: str) -> str:
        edits.clear()
        edits.append(jsonfile.set_environment(text, finder(only), key, delivery.variables))
        return edits[0].text

    with file_lock(paths, path), _edit_errors(path):
        changed = files.rewrite(path, edit)
    # Clean later touches only what any write to this file covered.
    earlier = previous.targets if previous else []
    targets = None if only is None or earlier is None else sorted({*earlier, *only})
    record = _record(
        kind,
        path,
        delivery,
        now,
        previous,
        created=edits[0].created,
        filled=edits[0].filled,
        targets=targets,
    )
    return changed, record


def write_dotenv(
    paths: Paths, path: Path, delivery: Delivery, now: dt.datetime, previous: registry.Record | None
) -> Written:
    """Set the variables in a .env file (created 0600 if it does not exist)."""
    with file_lock(paths, path), _edit_errors(path):
        if not path.parent.is_dir():
            raise FileError(f"{path.parent} does not exist", hint=f"mkdir -p {path.parent}")
        changed = files.rewrite(
            path, lambda text: dotenv.set_variables(text, delivery.variables), create=True
        )
    return changed, _record("dotenv", path, delivery, now, previous)


CREDENTIAL_KEYS = {
    "aws_access_key_id": "AWS_ACCESS_KEY_ID",
    "aws_secret_access_key": "AWS_SECRET_ACCESS_KEY",
    "aws_session_token": "AWS_SESSION_TOKEN",
}


def write_credentials(
    paths: Paths,
    section: str,
    delivery: Delivery,
    now: dt.datetime,
    previous: registry.Record | None,
) -> Written:
    """A profile in the shared credentials file, for tools that read nothing else."""
    path = paths.credentials_file
    values = {key: delivery.variables[name] for key, name in CREDENTIAL_KEYS.items()}
    with file_lock(paths, path):
        existed = section in inifile.sections(path)
        # It holds secrets, whatever its mode was before: 0600 from the first byte.
        changed = inifile.update(path, {section: values}, mode=0o600)
    created: list[tuple[str | int, ...]] = [] if existed else [(section,)]
    record = _record(
        "credentials",
        path,
        delivery,
        now,
        previous,
        section=section,
        created=created,
        keys=list(values),
    )
    return changed, record


def _record(
    kind: str,
    path: Path,
    delivery: Delivery,
    now: dt.datetime,
    previous: registry.Record | None,
    *,
    section: str | None = None,
    keys: list[str] | None = None,
    created: Sequence[tuple[str | int, ...]] = (),
    filled: Sequence[tuple[str | int, ...]] = (),
    targets: list[str] | None = None,
) -> registry.Record:
    return registry.Record(
        path=str(path),
        kind=kind,
        profile=delivery.profile,
        keys=keys or list(delivery.variables),
        written_at=format_timestamp(now),
        expires_at=format_timestamp(delivery.expires_at),
        section=section,
        # A rewrite over our own earlier write must still know what the first one added.
        created=_union(previous.created if previous else [], created),
        filled=_union(previous.filled if previous else [], filled),
        targets=targets,
    )


def _union(
    old: list[registry.JsonPath], new: Sequence[tuple[str | int, ...]]
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
                text, finder(record.targets), key, record.keys, created, filled
            )

        try:
            with file_lock(paths, path), _edit_errors(path):
                changed = files.rewrite(path, edit)
        except FileError:
            if path.exists():
                raise
            changed = False  # the file is gone, and our secrets with it
    elif record.kind == "dotenv":
        with file_lock(paths, path), _edit_errors(path):
            changed = path.exists() and files.rewrite(
                path, lambda text: dotenv.remove_variables(text, record.keys)
            )
    elif record.kind == "credentials" and record.section:
        with file_lock(paths, path):
            changed = inifile.remove(
                path, record.section, record.keys, drop_section=[record.section] in record.created
            )
    else:
        raise FileError(f"unknown sink kind {record.kind} in the record", hint="devcreds status")
    registry.forget(paths, record)
    return changed


@contextlib.contextmanager
def _edit_errors(path: Path) -> Iterator[None]:
    """Parse and shape problems of a sink file as one FileError naming the file."""
    try:
        yield
    except jsonc.JsoncError as exc:
        raise FileError(
            f"{path}: not valid JSON: {exc}",
            hint="fix the file (or undo your last edit), then retry",
        ) from None
    except jsonfile.ShapeError as exc:
        raise FileError(f"{path}: {exc}", hint="fix the file, then retry") from None
