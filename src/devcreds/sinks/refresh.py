"""What ``refresh`` and ``watch`` need to know of each file devcreds wrote.

Whether it is still there, whether it still holds devcreds' credentials and in
which targets (so a rewrite covers exactly those, under the names they have
now), and whether it holds a given set of credentials. Reading only, except
``drop``, which forgets a file that holds nothing of devcreds' any more.
Nothing here fetches credentials: the flows above do (``keepfresh``).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from devcreds import files
from devcreds.errors import DevcredsError, FileError, UsageError
from devcreds.paths import Paths
from devcreds.sinks import record
from devcreds.sinks.base import Sink
from devcreds.sinks.deliver import SINKS, sink_errors

# The values that make a file hold credentials; the expiry and region alone do not.
CREDENTIALS = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN")

Condition = Literal[
    "live",  # it points at devcreds serve: nothing in it expires
    "holds",  # devcreds' credentials are in ``targets``
    "gone",  # the file was deleted
    "emptied",  # the file holds nothing of devcreds' any more
    "leftovers",  # no credentials of devcreds', but other values of its (``leftovers``)
    "unreadable",  # the file or its record cannot be read as its kind (``error``)
]


@dataclass(frozen=True)
class Found:
    """One recorded file, as it is now."""

    path: Path
    kind: str
    state: record.Written | None  # what the record says the file holds (a pending write if so)
    condition: Condition
    targets: tuple[str, ...] = ()
    leftovers: tuple[str, ...] = ()
    error: DevcredsError | None = None


def survey(paths: Paths, chosen: Sequence[Path] | None = None) -> tuple[list[Found], list[str]]:
    """Every recorded file (or the ones ``chosen``), and a warning per unreadable record.

    Read without locks, as ``status`` reads: files are replaced atomically, and every
    change is made later under the file's lock, where the write checks again."""
    records, warnings = record.load_all(paths)
    if chosen is not None:
        wanted = [path.resolve() for path in chosen]
        by_path = {Path(r.path): r for r in records}
        unknown = [p for p in wanted if p not in by_path]
        if unknown:
            raise UsageError(
                f"devcreds has no record of writing to {', '.join(map(str, unknown))}",
                hint="devcreds status (lists the files devcreds wrote)",
            )
        records = [by_path[p] for p in dict.fromkeys(wanted)]
    return [_look(entry) for entry in records], warnings


def _look(entry: record.Record) -> Found:
    path = Path(entry.path)
    state = entry.state or entry.pending
    sink = SINKS.get(entry.kind)
    if state is not None and state.via == "serve":
        return Found(path, entry.kind, state, "live")
    if sink is None:
        error = FileError(
            f"the record of {path} names a kind of file this devcreds does not know ({entry.kind})",
            hint="use the devcreds that wrote it, or upgrade: pipx upgrade devcreds",
        )
        return Found(path, entry.kind, state, "unreadable", error=error)
    if not path.exists() and not path.is_symlink():
        return Found(path, entry.kind, state, "gone")
    try:
        with sink_errors(path):
            text = files.snapshot(path).text or ""
            places = sink.places(text)
    except DevcredsError as exc:
        return Found(path, entry.kind, state, "unreadable", error=exc)
    prints = entry.fingerprints
    credentials = credential_names(sink)
    targets = []
    ours: dict[str, None] = {}
    for place in places:
        names = place.ours(prints)
        ours.update(dict.fromkeys(names))
        if credentials & set(names):
            targets.append(place.name)
    if targets:
        return Found(path, entry.kind, state, "holds", tuple(dict.fromkeys(targets)))
    if ours:
        return Found(path, entry.kind, state, "leftovers", leftovers=tuple(ours))
    return Found(path, entry.kind, state, "emptied")


def credential_names(sink: Sink) -> set[str]:
    """The names the credentials have in this kind of file (``aws_access_key_id``, …)."""
    return set(sink.select({name: name for name in _ALL}))


# Every variable ``formats.variables`` gives a sink, so ``select`` finds what it maps.
_ALL = (*CREDENTIALS, "AWS_CREDENTIAL_EXPIRATION")


def holds(found: Found, variables: Mapping[str, str]) -> bool:
    """Whether the record says the file holds these credentials (as ``formats.variables``
    names them), by their fingerprints: the same keys, not just the same expiry."""
    sink = SINKS.get(found.kind)
    if sink is None or found.state is None:
        return False
    names = credential_names(sink)
    selected = {n: v for n, v in sink.select(dict(variables)).items() if n in names}
    prints = found.state.fingerprints
    return bool(selected) and all(record.fingerprint(n, v) in prints for n, v in selected.items())


def drop(paths: Paths, path: Path, *, fsync: files.Fsync = os.fsync) -> bool:
    """Forget ``path`` if it still holds nothing of devcreds' (checked again under its lock);
    False if something of devcreds' is back in it, and the record stays."""
    with record.locked(paths, path, fsync=fsync) as entry, sink_errors(path):
        written = entry.record
        if written is None:
            return True
        sink = SINKS.get(written.kind)
        if sink is not None and (path.exists() or path.is_symlink()):
            text = files.snapshot(path).text or ""
            if sink.still_ours(text, written.fingerprints):
                return False
        if written.temporary:  # a copy an interrupted write left behind
            with contextlib.suppress(FileNotFoundError):
                Path(written.temporary).unlink()
        entry.save(None, {})
        return True
