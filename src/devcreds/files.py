"""Atomic file replacement: temporary file in the same folder, fsync, same mode, rename.

A reader (or a crash) sees the old file or the new one, never half of one.
"""

from __future__ import annotations

import contextlib
import os
import stat
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from devcreds.errors import FileError


def atomic_write(path: Path, data: bytes, *, mode: int | None = None) -> None:
    """Replace ``path`` with ``data``. ``mode`` defaults to the old file's, else 0600."""
    if mode is None:
        try:
            mode = stat.S_IMODE(path.stat().st_mode)
        except FileNotFoundError:
            mode = 0o600
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        Path(temporary).chmod(mode)
        Path(temporary).replace(path)
    except BaseException:
        with contextlib.suppress(OSError):
            Path(temporary).unlink()
        raise


def private_dir(path: Path) -> None:
    """Create ``path`` (and missing parents) as 0700; tighten it if others can read it."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    if os.name == "posix" and stat.S_IMODE(path.stat().st_mode) & 0o077:
        path.chmod(0o700)


def read_text(path: Path) -> str:
    """A user's text file, BOM kept (as U+FEFF) so writing it back keeps it too."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise FileError(f"{path} does not exist", hint=f"check the path: {path}") from None
    except IsADirectoryError:
        raise FileError(f"{path} is a folder, not a file", hint="name the file inside it") from None
    except OSError as exc:
        raise FileError(
            f"cannot read {path}: {exc.strerror or exc}", hint=f"ls -l {path}"
        ) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FileError(
            f"{path} is not UTF-8 text (byte {exc.start})", hint=f"save {path} as UTF-8"
        ) from None


def rewrite(
    path: Path,
    edit: Callable[[str], str],
    *,
    mode: int | None = None,
    create: bool = False,
    attempts: int = 5,
) -> bool:
    """Replace ``path`` with ``edit(old text)``; True if it changed.

    The file's mode is kept (``mode`` forces one) and a read-only file is
    refused; a symlink stays a symlink (its target is edited). With ``create``
    a missing file counts as empty and is created 0600, its missing folders
    0700. If the file changes on disk while we edit, we edit the new version
    instead of overwriting it.
    """
    path = path.resolve()
    for _ in range(attempts):
        exists = not create or path.exists()
        text = read_text(path) if exists else ""
        edited = edit(text)
        if edited == text:
            return False
        current = stat.S_IMODE(path.stat().st_mode) if exists else 0o600
        if not current & stat.S_IWUSR:
            raise FileError(f"{path} is read-only", hint=f"chmod u+w {path}, or pick another file")
        if (read_text(path) if exists else "") != text or (not exists and path.exists()):
            continue
        try:
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            atomic_write(path, edited.encode("utf-8"), mode=current if mode is None else mode)
        except OSError as exc:
            raise FileError(
                f"cannot write {path}: {exc.strerror or exc}",
                hint=f"check the permissions of {path.parent}",
            ) from None
        return True
    raise FileError(f"{path} kept changing while devcreds edited it", hint="retry")


class LockTimeout(Exception):
    """Another process held the lock for longer than we were willing to wait."""


@contextlib.contextmanager
def exclusive(path: Path, timeout: float) -> Iterator[None]:
    """Hold an exclusive advisory lock on ``path`` (created 0600) across processes.

    The filelock package does this too, but importing it costs ~10 ms on the
    renewal path, which has to keep up with boto3 (bench/); this is all we need
    of it. The lock is released by the OS if the process dies.
    """
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        deadline = time.monotonic() + timeout
        while not _try_lock(fd):
            if time.monotonic() > deadline:
                raise LockTimeout(str(path))
            time.sleep(0.02)
        try:
            yield
        finally:
            _unlock(fd)
    finally:
        os.close(fd)


if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _try_lock(fd: int) -> bool:
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)
