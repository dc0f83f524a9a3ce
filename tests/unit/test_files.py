"""Cross-process locks and atomic replacement."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest

from devcreds import files

HOLD = """
import sys, time
from pathlib import Path
from devcreds.files import exclusive
with exclusive(Path(sys.argv[1]), timeout=5):
    print("held", flush=True)
    time.sleep(60)
"""


@pytest.fixture
def holder(tmp_path):
    lock = tmp_path / "x.lock"
    process = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(lock)], stdout=subprocess.PIPE, text=True
    )
    assert process.stdout.readline().strip() == "held"
    yield lock, process
    process.kill()
    process.wait()


def test_a_held_lock_times_out_for_others(holder):
    """While another process holds the lock, a second one gives up after its timeout."""
    lock, _ = holder
    with pytest.raises(files.LockTimeout), files.exclusive(lock, timeout=0.3):
        pass


def test_the_lock_dies_with_its_holder(holder):
    """A killed holder leaves no stale lock behind."""
    lock, process = holder
    process.send_signal(signal.SIGKILL)
    process.wait()
    with files.exclusive(lock, timeout=5):
        assert lock.exists()


def test_lock_file_is_private(tmp_path):
    """The lock file is created 0600."""
    with files.exclusive(tmp_path / "y.lock", timeout=1):
        assert (tmp_path / "y.lock").stat().st_mode & 0o777 == 0o600


def test_atomic_write_keeps_the_mode_and_leaves_no_temporary_file(tmp_path):
    """Replacing a 0640 file keeps 0640; nothing else is left in the folder."""
    path = tmp_path / "f"
    path.write_text("old")
    path.chmod(0o640)
    files.atomic_write(path, b"new")
    assert (path.read_bytes(), path.stat().st_mode & 0o777) == (b"new", 0o640)
    assert [p.name for p in tmp_path.iterdir()] == ["f"]


def test_rewrite_through_a_symlink_keeps_the_link(tmp_path):
    """A sink file that is a symlink: the target changes, the link stays a link."""
    target = tmp_path / "shared.env"
    target.write_text("A=1\n")
    link = tmp_path / ".env"
    link.symlink_to(target)
    assert files.rewrite(link, lambda text: text + "B=2\n") is True
    assert link.is_symlink()
    assert target.read_text() == "A=1\nB=2\n"


def test_private_dir_makes_every_missing_parent_0700_whatever_the_umask(tmp_path):
    """~/.aws/sso/cache from nothing under umask 000: .aws, sso and cache are all 0700."""
    old = os.umask(0)
    try:
        files.private_dir(tmp_path / ".aws" / "sso" / "cache")
    finally:
        os.umask(old)
    modes = [(tmp_path / p).stat().st_mode & 0o777 for p in (".aws", ".aws/sso", ".aws/sso/cache")]
    assert modes == [0o700, 0o700, 0o700]


def test_missing_dirs_leaves_existing_folders_alone(tmp_path):
    """An existing 0755 folder keeps its mode; only the folders made are 0700."""
    (tmp_path / "project").mkdir()
    (tmp_path / "project").chmod(0o755)
    files.missing_dirs(tmp_path / "project" / "a" / "b")
    modes = [(tmp_path / p).stat().st_mode & 0o777 for p in ("project", "project/a", "project/a/b")]
    assert modes == [0o755, 0o700, 0o700]
