"""The per-file record of a sink write: kept fields, damaged records set aside, one lock and one
record per real file, private modes, and no credential in it."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from devcreds.errors import FileError
from devcreds.files import private_dir
from devcreds.sinks import deliver, record
from tests.sinks.flow import CREDS, NOW, Sinks, creds

ORIGINAL = b"# my project\nAPP_PORT=8080\n"
USER_KEY = b"APP_PORT=8080\nAWS_ACCESS_KEY_ID=AKIAUSER\n"
SECRETS = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN")  # not the expiry

HOLD = """
import sys
from pathlib import Path
from devcreds.files import exclusive
with exclusive(Path(sys.argv[1]), timeout=5):
    print("held", flush=True)
    sys.stdin.read()
"""


@pytest.fixture
def sinks(tmp_path):
    return Sinks.at(tmp_path / "home")


@pytest.fixture
def env_file(tmp_path):
    project = tmp_path / "project"
    project.mkdir()
    path = project / ".env"
    path.write_bytes(ORIGINAL)
    return path


def _record_path(sinks: Sinks, path: Path) -> Path:
    return record.record_file(sinks.paths, path)


def _record_json(sinks: Sinks, path: Path) -> dict:
    return json.loads(_record_path(sinks, path).read_bytes())


def _state(sinks: Sinks) -> Path:
    return sinks.paths.state


def test_unknown_fields_of_a_newer_devcreds_are_kept(sinks, env_file):
    """Top-level fields this version does not know survive a no-op write and a changing write."""
    sinks.write("dotenv", env_file)
    data = _record_json(sinks, env_file)
    extra = {"futureField": {"nested": [1, "two", None]}, "auditTrail": ["x"]}
    _record_path(sinks, env_file).write_text(json.dumps({**data, **extra}))

    same = sinks.write("dotenv", env_file)
    assert not same.outcomes[0].changed
    assert {k: _record_json(sinks, env_file).get(k) for k in extra} == extra

    refreshed = sinks.write("dotenv", env_file, creds(2))
    assert refreshed.outcomes[0].changed
    after = _record_json(sinks, env_file)
    assert {k: after.get(k) for k in extra} == extra
    assert after["version"] == 2
    assert after["state"]["fingerprints"] != data["state"]["fingerprints"]
    assert creds(2)["AWS_SESSION_TOKEN"] in env_file.read_text()


DAMAGED = {
    "not-json": b"{this is not json",
    "nested-100000-deep": b"[" * 100_000 + b"]" * 100_000,
    "path-is-a-number": b'{"version": 2, "path": 1}',
    "not-an-object": b'["a", "list"]',
    "state-of-the-wrong-shape": (
        b'{"version": 2, "path": "/x", "kind": "dotenv", "state": {"profile": 1}}'
    ),
    "version-not-a-number": b'{"version": "2", "path": "/x", "kind": "dotenv"}',
}


@pytest.mark.parametrize("damage", sorted(DAMAGED))
def test_an_unreadable_record_is_moved_aside_and_the_write_goes_on(sinks, env_file, damage):
    """An unreadable record is kept as *.unreadable-*; the write succeeds with a warning."""
    file = _record_path(sinks, env_file)
    file.parent.mkdir(parents=True)
    file.write_bytes(DAMAGED[damage])

    report = sinks.write("dotenv", env_file)

    [aside] = file.parent.glob(f"{file.name}.unreadable-*")
    assert aside.read_bytes() == DAMAGED[damage]
    assert any("could not be read" in w and str(aside) in w for w in report.warnings)
    assert report.outcomes[0].changed
    assert CREDS["AWS_SESSION_TOKEN"] in env_file.read_text()
    assert _record_json(sinks, env_file)["version"] == 2
    assert deliver.written(sinks.paths, NOW)[1] == []

    sinks.clean(env_file)
    assert env_file.read_bytes() == ORIGINAL
    assert aside.read_bytes() == DAMAGED[damage]


def test_a_second_unreadable_record_does_not_replace_the_first_one_set_aside(sinks, env_file):
    """Two damaged records of one file, set aside one after the other: both are kept."""
    file = _record_path(sinks, env_file)
    file.parent.mkdir(parents=True)
    file.write_bytes(b"first damage")
    sinks.write("dotenv", env_file)
    file.write_bytes(b"second damage")
    sinks.write("dotenv", env_file)

    asides = sorted(p.read_bytes() for p in file.parent.glob(f"{file.name}.unreadable-*"))
    assert asides == [b"first damage", b"second damage"]


def test_a_record_of_a_newer_version_is_refused(sinks, env_file):
    """A version 99 record fails the write (newer devcreds); file and record stay untouched."""
    file = _record_path(sinks, env_file)
    file.parent.mkdir(parents=True)
    newer = json.dumps({"version": 99, "path": str(env_file), "kind": "dotenv", "x": 1}).encode()
    file.write_bytes(newer)

    report = sinks.write("dotenv", env_file, check=False)

    [outcome] = report.outcomes
    assert isinstance(outcome.error, FileError)
    assert "newer devcreds" in outcome.error.message
    assert env_file.read_bytes() == ORIGINAL
    assert file.read_bytes() == newer
    assert list(file.parent.glob("*.unreadable-*")) == []


@pytest.fixture
def lock_holder(sinks, env_file):
    """Another process holding the record lock of ``env_file`` (its real path's key)."""
    locks = _state(sinks) / "locks"
    private_dir(locks)
    lock = locks / f"sink-{record.key(env_file)}.lock"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(lock)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        yield holder
    finally:
        holder.kill()
        holder.wait()
        holder.stdin.close()
        holder.stdout.close()


@pytest.mark.parametrize("spelling", ["real path", "symlink"])
def test_a_write_waits_for_the_record_lock_of_another_process(
    sinks, env_file, lock_holder, spelling
):
    """A write waits while another process holds the file's lock, then completes once it dies."""
    path = env_file
    if spelling == "symlink":
        path = env_file.parent.parent / "link.env"
        path.symlink_to(env_file)
    reports = []
    writer = threading.Thread(
        target=lambda: reports.append(sinks.write("dotenv", path, check=False)), daemon=True
    )
    writer.start()
    writer.join(timeout=1)
    assert writer.is_alive(), reports
    assert env_file.read_bytes() == ORIGINAL

    lock_holder.kill()
    lock_holder.wait()
    writer.join(timeout=10)

    assert not writer.is_alive()
    [report] = reports
    assert not report.failures, [str(o.error) for o in report.failures]
    assert CREDS["AWS_SESSION_TOKEN"] in env_file.read_text()


def test_one_record_per_real_file_however_it_is_spelled(sinks, env_file, tmp_path):
    """dir/../dir/file and a symlink share one record; clean via the link restores the bytes."""
    dotted = env_file.parent / ".." / env_file.parent.name / env_file.name
    link = tmp_path / "link.env"
    link.symlink_to(env_file)

    sinks.write("dotenv", dotted, creds(1))
    sinks.write("dotenv", link, creds(2))

    records = list((_state(sinks) / "sinks").glob("*.json"))
    assert records == [_record_path(sinks, env_file)]
    assert json.loads(records[0].read_bytes())["path"] == str(env_file.resolve())
    assert creds(2)["AWS_SESSION_TOKEN"] in env_file.read_text()
    assert creds(1)["AWS_SESSION_TOKEN"] not in env_file.read_text()

    sinks.clean(link)

    assert env_file.read_bytes() == ORIGINAL
    assert link.is_symlink()
    assert list((_state(sinks) / "sinks").glob("*.json")) == []


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_record_and_saved_files_are_private_whatever_the_umask(sinks, env_file):
    """Under umask 000, the record and the saved values are 0600 in 0700 folders."""
    env_file.write_bytes(USER_KEY)
    previous = os.umask(0)
    try:
        report = sinks.write("dotenv", env_file)
    finally:
        os.umask(previous)

    assert report.outcomes[0].kept
    saved = record.saved_file(sinks.paths, env_file)
    recorded = _record_path(sinks, env_file)
    assert (_mode(recorded), _mode(saved)) == (0o600, 0o600)
    folders = [recorded.parent, saved.parent, _state(sinks) / "locks", record.temp_dir(sinks.paths)]
    assert [_mode(f) for f in folders] == [0o700] * len(folders)


def test_loose_record_folders_are_tightened(sinks, env_file):
    """Record and saved folders that others could read are made 0700 by the next write."""
    env_file.write_bytes(USER_KEY)
    for name in ("sinks", "saved"):
        (_state(sinks) / name).mkdir(parents=True)
        (_state(sinks) / name).chmod(0o755)

    sinks.write("dotenv", env_file)

    assert _mode(_state(sinks) / "sinks") == 0o700
    assert _mode(_state(sinks) / "saved") == 0o700


def _everything_under(folder: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_no_credential_in_the_record_and_the_user_value_only_in_saved(sinks, env_file):
    """No written secret is in devcreds' state; the replaced user key is in saved/ only."""
    env_file.write_bytes(USER_KEY)

    report = sinks.write("dotenv", env_file)

    [kept] = report.outcomes[0].kept
    assert "AWS_ACCESS_KEY_ID" in kept
    assert b"AKIAUSER" not in env_file.read_bytes()
    state = _everything_under(_state(sinks))
    assert any(p.parent.name == "sinks" for p in state)
    for path, data in state.items():
        for name in SECRETS:
            assert CREDS[name].encode() not in data, (path, name)
            assert json.dumps(CREDS[name]).encode() not in data, (path, name)
    holding = sorted(path for path, data in state.items() if b"AKIAUSER" in data)
    assert holding == [record.saved_file(sinks.paths, env_file)]

    sinks.clean(env_file)

    assert env_file.read_bytes() == USER_KEY
    assert not record.saved_file(sinks.paths, env_file).exists()


def test_saved_values_without_a_record_are_removed(sinks, env_file):
    """A user value saved by a writer killed before its record landed does not stay behind."""
    saved = record.saved_file(sinks.paths, env_file)
    private_dir(saved.parent)
    saved.write_text(json.dumps({"": {"AWS_ACCESS_KEY_ID": ["AKIAORPHAN"]}}))
    sinks.write("dotenv", env_file)  # replaces no user value: nothing to save
    assert not saved.exists()
    sinks.clean(env_file)
    assert env_file.read_bytes() == ORIGINAL


def test_temporaries_of_a_killed_record_writer_are_removed(sinks, env_file):
    """Half-written copies of this file's record or saved values go when its lock is next taken."""
    name = record.key(env_file)
    leftovers = [
        record.record_file(sinks.paths, env_file).parent / f".{name}.json.abc123.tmp",
        record.saved_file(sinks.paths, env_file).parent / f".{name}.json.def456.tmp",
    ]
    other = leftovers[0].parent / ".ffffffffffffffffffffffffffffffff.json.x.tmp"
    for path in [*leftovers, other]:
        private_dir(path.parent)
        path.write_text("AKIAUSERVALUE")
    sinks.write("dotenv", env_file)
    assert [p.exists() for p in [*leftovers, other]] == [False, False, True]


def test_a_write_whose_record_cannot_be_completed_is_undone(sinks, env_file):
    """The record fails after the rename: the file gets its old bytes back and the write fails."""
    calls = []

    def fsync(fd: int) -> None:
        calls.append(fd)
        if len(calls) == 3:  # pending record, temporary, then the completed record
            raise OSError(28, "No space left on device")
        os.fsync(fd)

    report = sinks.write("dotenv", env_file, check=False, fsync=fsync)
    assert [o.error.exit_code for o in report.failures] == [6]
    assert env_file.read_bytes() == ORIGINAL
    assert list(env_file.parent.iterdir()) == [env_file]
    assert deliver.written(sinks.paths, NOW) == ([], [])
