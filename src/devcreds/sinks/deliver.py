"""The sink flows: write credentials into files, take them out again, say what was written.

Each file is handled under its own lock, with its record (``record.py``):
the record is marked pending before the file is touched and completed after
the rename, the temporary file lives in devcreds' state folder when it can,
and whatever a crash leaves half done is settled by the next command that
takes the file's lock. One bad file never stops the others.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from devcreds import files
from devcreds.cache import format_timestamp, parse_timestamp
from devcreds.errors import DevcredsError, FileError, Refusal, UsageError
from devcreds.paths import Paths
from devcreds.sinks import gitcheck, jsonc, record
from devcreds.sinks.base import Edit, ShapeError, Sink
from devcreds.sinks.credentialsfile import CredentialsFile
from devcreds.sinks.dotenv import Dotenv
from devcreds.sinks.launchsettings import LaunchSettings
from devcreds.sinks.vscode import VsCode

SINKS: dict[str, Sink] = {
    sink.kind: sink for sink in (LaunchSettings(), VsCode(), Dotenv(), CredentialsFile())
}


@dataclass(frozen=True)
class Delivery:
    """What to write: the variables (secrets) and where they came from.

    ``via="serve"``: the variables point at devcreds serve (no AWS secret, nothing expires);
    ``private`` names those that go only into files git does not track (the token file's
    path is each developer's own)."""

    variables: dict[str, str] = field(repr=False)
    profile: str
    expires_at: dt.datetime | None
    via: str | None = None
    private: frozenset[str] = frozenset()
    with_region: bool = False  # AWS_REGION is among the variables at the user's asking


@dataclass(frozen=True)
class Outcome:
    """What happened to one file."""

    path: Path
    changed: bool = False
    kept: list[str] = field(default_factory=list)  # user values saved for clean to put back
    note: str | None = None  # 'the file is gone', …
    error: DevcredsError | None = None
    skipped: list[str] = field(default_factory=list)  # targets left out, each with why


@dataclass(frozen=True)
class Report:
    outcomes: list[Outcome]
    warnings: list[str]

    @property
    def failures(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.error is not None]


_SKIP_DIRS = {"bin", "obj", "node_modules", ".git"}


def discover(root: Path, name: str) -> list[Path]:
    """Every file called ``name`` under ``root``, build output and dependencies skipped."""
    if not root.is_dir():
        raise FileError(
            f"{root} is not a folder", hint="devcreds write launchsettings --recursive DIR"
        )
    found = []
    for folder, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in _SKIP_DIRS)
        if name in names:
            found.append(Path(folder) / name)
    if not found:
        raise FileError(
            f"no {name} under {root} (bin, obj, node_modules, .git skipped)",
            hint="run it from the solution folder, or name the files",
        )
    return found


def write(
    paths: Paths,
    kind: str,
    targets: Sequence[Path],
    credentials: Callable[[], Delivery],
    *,
    now: dt.datetime,
    only: list[str] | None = None,
    allow_tracked: bool = False,
    via: str | None = None,
    existing_only: bool = False,
    fsync: files.Fsync = os.fsync,
) -> Report:
    """Write fresh credentials (or, ``via="serve"``, the endpoint) into each file; one
    failure stops no other.

    Git and the files' existence are checked before ``credentials()`` is
    called, so a typo in a path never costs a login. ``existing_only``: a file that is gone
    is not created, even by a kind that creates files (refresh rewrites, never recreates).
    """
    sink = SINKS[kind]
    real = [path.resolve() for path in targets]
    warnings, refused, shared = _check_git(real, allow_tracked, kind, via)
    outcomes: dict[Path, Outcome] = {path: Outcome(path, error=refused[path]) for path in refused}
    creates = sink.creates_file and not existing_only
    for path, given in zip(real, targets, strict=True):
        if not creates and not path.exists():
            where = "" if given.is_absolute() else f" (looked in {Path.cwd()})"
            error = FileError(
                f"{given} does not exist{where}",
                hint=f"run it from the project folder, or name it: devcreds write {kind} PATH",
            )
            outcomes[path] = Outcome(path, error=error)
    if len(outcomes) < len(real):
        delivery = credentials()
        for path in real:
            if path in outcomes:
                continue
            how = _How(
                leave_out=delivery.private if path in shared else frozenset(),
                allow_tracked=allow_tracked and path in shared,
                creates=creates,
            )
            try:
                outcomes[path] = _write_one(
                    paths, sink, path, delivery, how, only, now, fsync, warnings
                )
            except DevcredsError as exc:
                outcomes[path] = Outcome(path, error=exc)
    return Report([outcomes[path] for path in dict.fromkeys(real)], warnings)


@dataclass(frozen=True)
class _How:
    """What the write of one file takes from where the file is."""

    leave_out: frozenset[str]  # a file shared through git gets no ``private`` variable
    allow_tracked: bool  # the user allowed secrets into this file, which git tracks
    creates: bool  # a missing file is created


def _write_one(
    paths: Paths,
    sink: Sink,
    path: Path,
    delivery: Delivery,
    how: _How,
    only: list[str] | None,
    now: dt.datetime,
    fsync: files.Fsync,
    warnings: list[str],
) -> Outcome:
    creates = how.creates
    chosen = {k: v for k, v in delivery.variables.items() if k not in how.leave_out}
    variables = sink.select(chosen)
    with record.locked(paths, path, fsync=fsync) as entry, sink_errors(path):
        warnings += entry.warnings
        _settle(entry, sink)
        if entry.record and entry.record.state and entry.record.state.via != delivery.via:
            # Keys to endpoint or back: what the other mode wrote goes first, the user's
            # own values come back, then the new mode writes as on a first write.
            _clean_locked(paths, entry, sink, path, fsync)
        previous = entry.record
        edits: list[tuple[Edit, bool]] = []

        def edit(text: str | None) -> str | None:
            if text is None and not creates:
                raise FileError(f"{path} does not exist", hint=f"check the path: {path}")
            if text is None and not sink.creates_folders and not path.parent.is_dir():
                raise FileError(f"{path.parent} does not exist", hint=f"mkdir -p {path.parent}")
            edits.clear()
            made = sink.write(text or "", variables, only, previous, entry.saved, delivery.via)
            edits.append((made, text is None))
            return edits[0][0].text

        def state() -> record.Written:
            done, _ = edits[0]
            new = frozenset(record.fingerprint(n, v) for n, v in variables.items())
            old = previous.fingerprints if previous else frozenset()
            return record.Written(
                delivery.profile,
                format_timestamp(now),
                format_timestamp(delivery.expires_at) if delivery.expires_at else "",
                sink.still_ours(done.text, old | new),  # what the file holds of ours, no more
                done.targets,
                delivery.via,
                how.allow_tracked and delivery.via is None,
                delivery.with_region,
            )

        def base() -> record.Record:
            created = edits[0][1] or bool(previous and previous.created_file)
            if previous is None:
                return record.Record(str(path), sink.kind, None, created_file=created)
            return record.Record(
                str(path), sink.kind, previous.state, created_file=created, extra=previous.extra
            )

        class Journal:
            def staging(self, temporary: Path) -> None:
                # Before the file is touched: a crash from here on is settled from this.
                superset = {**entry.saved, **edits[0][0].saved}
                entry.save(replace(base(), pending=state(), temporary=str(temporary)), superset)

            def replaced(self) -> None:
                entry.save(record.with_state(base(), state()), edits[0][0].saved)

        try:
            changed = files.rewrite(
                path,
                edit,
                mode=sink.mode,
                create=creates,
                journal=Journal(),
                temp_dir=record.temp_dir(paths),
                fsync=fsync,
            )
        except DevcredsError:
            _settle(entry, sink)  # a write that failed midway leaves no pending record
            raise
        done = edits[0][0]
        if changed:
            return Outcome(path, True, done.kept, skipped=done.skipped)
        # The file already holds these values (or nothing takes them): the record catches up.
        settled = state()
        if not settled.targets and not settled.fingerprints:
            entry.save(None, {})
            note = f"nothing to write: no {sink.target_label} takes credentials"
            return Outcome(path, note=note, skipped=done.skipped)
        entry.save(record.with_state(base(), settled), done.saved)
        return Outcome(path, skipped=done.skipped)


def clean(
    paths: Paths,
    targets: Sequence[Path] | None = None,
    *,
    endpoints: bool = False,
    fsync: files.Fsync = os.fsync,
) -> Report:
    """Take devcreds' values out of the files named (None: every file written).

    Of every file written, those git tracks that point at devcreds serve are the team's
    set-up, with no secret in them: they stay as they are (said in one line) unless
    ``endpoints``. A file named is always cleaned."""
    kept: list[Outcome] = []
    if targets is None:
        records, warnings = record.load_all(paths)
        chosen = [Path(r.path) for r in records]
        if not endpoints:
            chosen, kept = _team_files_apart(records)
    else:
        warnings = []
        chosen = [path.resolve() for path in targets]
        unknown = [p for p in chosen if not record.record_file(paths, p).exists()]
        if unknown:
            raise UsageError(
                f"devcreds has no record of writing to {', '.join(map(str, unknown))}",
                hint="devcreds status (lists the files devcreds wrote)",
            )
    outcomes = []
    for path in chosen:
        try:
            outcomes.append(_clean_one(paths, path, fsync, warnings))
        except DevcredsError as exc:
            outcomes.append(Outcome(path, error=exc))
    return Report(kept + outcomes, warnings)


def _team_files_apart(records: list[record.Record]) -> tuple[list[Path], list[Outcome]]:
    """The files to clean, and the endpoint files git tracks (or may: it could not say),
    each with the line that says why it stays."""
    endpoint = [Path(r.path) for r in records if _points_at_serve(r)]
    shared = {
        path
        for path, state in gitcheck.states(endpoint).items()
        if state in (gitcheck.GitState.TRACKED, gitcheck.GitState.UNKNOWN)
    }
    note = (
        "left as it is (git tracks it, and it holds only the address of devcreds serve, no "
        "secret: the team's set-up; devcreds clean FILE takes it out)"
    )
    kept = [Outcome(path, note=note) for path in endpoint if path in shared]
    return [Path(r.path) for r in records if Path(r.path) not in shared], kept


def _clean_one(paths: Paths, path: Path, fsync: files.Fsync, warnings: list[str]) -> Outcome:
    with record.locked(paths, path, fsync=fsync) as entry, sink_errors(path):
        warnings += entry.warnings
        sink = _sink_of(entry)
        if sink is None:
            return Outcome(path, note="no record left")
        _settle(entry, sink)
        return _clean_locked(paths, entry, sink, path, fsync)


def _clean_locked(
    paths: Paths, entry: record.Entry, sink: Sink, path: Path, fsync: files.Fsync
) -> Outcome:
    """Take devcreds' values out of ``path``, its lock held and its record settled."""
    if entry.record is None:
        return Outcome(path, note="nothing to clean")
    written: record.Record = entry.record
    if not path.exists() and not path.is_symlink():
        entry.save(None, {})
        return Outcome(path, note="the file is gone, and the credentials with it")

    def edit(text: str | None) -> str | None:
        if text is None:
            return None
        cleaned = sink.clean(text, written, entry.saved)
        if written.created_file and cleaned is not None and not cleaned.strip("\ufeff"):
            return None  # devcreds created the file, and nothing else is in it
        return cleaned

    class Journal:
        def staging(self, temporary: Path) -> None:
            entry.save(replace(written, temporary=str(temporary)))

        def replaced(self) -> None:
            pass

    changed = files.rewrite(
        path, edit, journal=Journal(), temp_dir=record.temp_dir(paths), fsync=fsync
    )
    entry.save(None, {})
    return Outcome(path, changed)


def _points_at_serve(written: record.Record) -> bool:
    state = written.state or written.pending
    return state is not None and state.via is not None


def _sink_of(entry: record.Entry) -> Sink | None:
    if entry.record is None:
        return None
    sink = SINKS.get(entry.record.kind)
    if sink is None:
        raise FileError(
            f"the record of {entry.path} names a kind of file this devcreds does not know "
            f"({entry.record.kind})",
            hint="use the devcreds that wrote it, or upgrade: pipx upgrade devcreds",
        )
    return sink


def _settle(entry: record.Entry, sink: Sink) -> None:
    """Finish what an interrupted write or clean left: its temporary file, its pending part."""
    written = entry.record
    if written is None or (written.pending is None and written.temporary is None):
        return
    if written.temporary:
        with contextlib.suppress(FileNotFoundError):
            Path(written.temporary).unlink()
    state = written.state
    if written.pending is not None:
        try:
            text = files.snapshot(entry.path).text or ""
            new = written.pending.fingerprints - (state.fingerprints if state else frozenset())
            if sink.still_ours(text, new or written.pending.fingerprints):
                state = written.pending  # the rename happened: the file holds the pending write
        except (DevcredsError, ValueError):
            pass  # the file is gone or unreadable: keep what was known before
    if state is None:
        entry.save(None, {})  # nothing of ours reached the file
    else:
        entry.save(record.with_state(written, state))


@dataclass(frozen=True)
class Written:
    """A file devcreds wrote to, for ``status``. Never a secret."""

    path: str
    kind: str
    profile: str | None
    expires_at: str | None
    valid: bool
    interrupted: bool  # a write or clean was cut short; the next command on it settles it
    describe: str
    via: str | None = None  # "serve": the file points at devcreds serve, nothing expires


def written(paths: Paths, now: dt.datetime) -> tuple[list[Written], list[str]]:
    """Every file devcreds has a record of, and a warning per record it could not read."""
    records, warnings = record.load_all(paths)
    rows = []
    for entry in records:
        state = entry.state or entry.pending
        sink = SINKS.get(entry.kind)
        try:
            valid = state is not None and (
                state.via is not None or parse_timestamp(state.expires_at) > now
            )
        except (ValueError, OverflowError):
            valid = False
        rows.append(
            Written(
                entry.path,
                entry.kind,
                state.profile if state else None,
                state.expires_at if state and state.expires_at else None,
                valid,
                entry.pending is not None or entry.temporary is not None,
                sink.describe(entry) if sink else entry.kind,
                state.via if state else None,
            )
        )
    return rows, warnings


def _check_git(
    real: list[Path], allow_tracked: bool, kind: str, via: str | None
) -> tuple[list[str], dict[Path, FileError], set[Path]]:
    """Warnings, the files refused (tracked, or git could not answer for them: no secret may
    go there), and the files shared through git (they get no ``private`` variable)."""
    warnings = []
    refused: dict[Path, FileError] = {}
    shared: set[Path] = set()
    hint = (
        "keep them out (a .env file or envFile the repo ignores), point the file at devcreds "
        f"serve with --via serve, or pass --allow-tracked to devcreds write {kind}"
    )
    for path, status in gitcheck.check(real).items():
        if status.state is gitcheck.GitState.UNTRACKED and via is None:
            warnings.append(
                f"git does not ignore {path}; add it to .gitignore so these credentials are "
                "never committed"
            )
        if status.state not in (gitcheck.GitState.TRACKED, gitcheck.GitState.UNKNOWN):
            continue
        shared.add(path)
        if via is not None:
            warnings.append(
                f"{path} is in git: it now points at devcreds serve, with no secret and no "
                "token file in it (each developer sets AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE "
                "once, see devcreds serve --help); commit it for the team, or devcreds clean it"
            )
        elif not allow_tracked and status.state is gitcheck.GitState.TRACKED:
            refused[path] = Refusal(
                f"git tracks {path}: credentials written there would be one commit away from "
                "being published",
                hint=hint,
            )
        elif not allow_tracked:
            refused[path] = Refusal(
                f"git could not tell whether it tracks {path}: credentials written there could "
                "be one commit away from being published",
                hint=f"git could not answer ({status.reason or 'no answer'}): fix that and "
                f"retry, {hint}",
            )
    return warnings, refused, shared


@contextlib.contextmanager
def sink_errors(path: Path) -> Iterator[None]:
    """Parse and shape problems of a sink file as one FileError naming the file."""
    try:
        yield
    except jsonc.JsoncError as exc:
        raise FileError(
            f"{path}: not valid JSON: {exc}",
            hint="fix the file (or undo your last edit), then retry",
        ) from None
    except ShapeError as exc:
        raise FileError(f"{path}: {exc}", hint="fix the file, then retry") from None
