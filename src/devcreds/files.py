"""Users' files, read and replaced safely: regular files only, atomic, never over a newer save.

A reader (or a crash) sees the old file or the new one, never half of one;
devcreds' own state files use ``atomic_write``, users' files ``rewrite``.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from devcreds.errors import FileError
from devcreds.platforms import HOST, Platform

Fsync = Callable[[int], None]

# Windows refuses to replace a file that another program holds open without sharing its
# deletion (Visual Studio, an antivirus scan, a sync client) with a PermissionError, most
# often for a moment. pip retries such a rename for a second, npm's graceful-fs for longer;
# these waits add up to two seconds, then the user is told who probably holds it.
REPLACE_WAITS = (0.05, 0.1, 0.2, 0.4, 0.5, 0.75)


def atomic_write(
    path: Path,
    data: bytes,
    *,
    mode: int | None = None,
    fsync: Fsync = os.fsync,
    platform: Platform = HOST,
) -> None:
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
            fsync(handle.fileno())
        Path(temporary).chmod(mode)
        replace(Path(temporary), path, platform)
    except BaseException:
        with contextlib.suppress(OSError):
            Path(temporary).unlink()
        raise


def private_dir(path: Path) -> None:
    """Create ``path`` and each missing parent 0700 (``~/.aws/sso`` as much as its ``cache``),
    whatever the umask; tighten ``path`` itself if others can read it."""
    missing_dirs(path)
    if not path.is_dir():
        raise NotADirectoryError(20, "Not a directory", str(path))
    if not HOST.windows and stat.S_IMODE(path.stat().st_mode) & 0o077:
        path.chmod(0o700)


def missing_dirs(path: Path) -> None:
    """Create the folders missing up to ``path``, each 0700; existing ones are left as they are."""
    missing = []
    folder = path
    while not folder.exists() and folder.parent != folder:
        missing.append(folder)
        folder = folder.parent
    for folder in reversed(missing):
        with contextlib.suppress(FileExistsError):  # another process made it meanwhile
            folder.mkdir(mode=0o700)
            if not HOST.windows:
                folder.chmod(0o700)  # ours, just made: mkdir's mode is cut by the umask


_KINDS = {
    stat.S_IFDIR: "a folder",
    stat.S_IFIFO: "a FIFO",
    stat.S_IFSOCK: "a socket",
    stat.S_IFCHR: "a device",
    stat.S_IFBLK: "a device",
}
# Opening never blocks (a FIFO swapped in after the check) and never follows a link.
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0)
_CREATE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
_BINARY = getattr(os, "O_BINARY", 0)  # Windows: no newline translation


@dataclass(frozen=True)
class Snapshot:
    """A user's file as read: its real path, text (None: no file) and identity."""

    path: Path
    text: str | None = field(repr=False)
    identity: tuple[int, int, int, int] | None  # device, inode, size, mtime in ns
    mode: int


def _identity(info: os.stat_result) -> tuple[int, int, int, int]:
    return (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns)


def snapshot(path: Path, *, missing_ok: bool = False) -> Snapshot:
    """Read ``path`` (symlinks resolved), refusing anything but a regular file before reading.

    The BOM is kept (as U+FEFF) so writing the text back keeps it too.
    """
    try:
        real = path.resolve()
    except (OSError, RuntimeError):  # a loop of links: RuntimeError before Python 3.13
        raise FileError(
            f"{path} is a loop of symbolic links", hint=HOST.show_permissions(path)
        ) from None
    try:
        info = os.lstat(real)
    except FileNotFoundError:
        if missing_ok:
            return Snapshot(real, None, None, 0o600)
        raise FileError(f"{path} does not exist", hint=f"check the path: {path}") from None
    except OSError as exc:
        raise FileError(
            f"cannot read {path}: {exc.strerror}", hint=HOST.show_permissions(path)
        ) from None
    _require_regular(path, info)
    try:
        fd = os.open(real, _OPEN_FLAGS | _BINARY)
    except OSError as exc:
        raise FileError(
            f"cannot read {path}: {exc.strerror}", hint=HOST.show_permissions(path)
        ) from None
    with os.fdopen(fd, "rb") as handle:
        opened = os.fstat(handle.fileno())
        _require_regular(path, opened)
        if (opened.st_dev, opened.st_ino) != (info.st_dev, info.st_ino):
            raise FileError(f"{path} was replaced while devcreds read it", hint="retry")
        data = handle.read()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FileError(
            f"{path} is not UTF-8 text (byte {exc.start})", hint=f"save {path} as UTF-8"
        ) from None
    return Snapshot(real, text, _identity(opened), stat.S_IMODE(opened.st_mode))


def _require_regular(path: Path, info: os.stat_result) -> None:
    if not stat.S_ISREG(info.st_mode):
        what = _KINDS.get(stat.S_IFMT(info.st_mode), "not a regular file")
        raise FileError(
            f"{path} is {what}, not a regular file; devcreds writes only regular files",
            hint="name a regular file",
        )


def replace(
    temporary: Path, target: Path, platform: Platform, check: Callable[[], None] = lambda: None
) -> None:
    """``os.replace``, waiting out a program that holds ``target`` open on Windows.

    ``check`` runs before each retry (the caller's "has the file changed?"). After the
    last wait: a FileError naming the likely holders; the caller removes ``temporary``."""
    for wait in REPLACE_WAITS:
        try:
            platform.replace(str(temporary), str(target))
        except PermissionError:
            if not platform.windows:
                raise
            platform.sleep(wait)
            check()
        else:
            return
    try:
        platform.replace(str(temporary), str(target))
    except PermissionError:
        raise FileError(
            f"cannot replace {target}: another program holds it open",
            hint="close it in Visual Studio (or the editor that has it), or pause the sync "
            "client or antivirus scan, then retry",
        ) from None


class Journal(Protocol):
    """Told about each step of a rewrite, so a crash at any point can be cleaned up after."""

    def staging(self, temporary: Path) -> None:
        """Before the temporary file exists; raising stops the rewrite, file untouched."""

    def replaced(self) -> None:
        """After the rename; raising puts the old file back."""


class _Changed(Exception):
    """The file changed between our read and our rename."""


def rewrite(
    path: Path,
    edit: Callable[[str | None], str | None],
    *,
    mode: int | None = None,
    create: bool = False,
    journal: Journal | None = None,
    temp_dir: Path | None = None,
    fsync: Fsync = os.fsync,
    attempts: int = 5,
    platform: Platform = HOST,
) -> bool:
    """Replace ``path`` with ``edit(old text)``; True if it changed.

    ``edit`` gets None for a missing file (only with ``create``) and may return
    None to delete the file. The file's mode is kept (``mode`` forces one) and
    a read-only file is refused; a symlink stays a symlink (its target is
    edited). A new file is created 0600, its missing folders 0700. The
    temporary file goes to ``temp_dir`` when it is on the file's device (git
    and the project never see it), else beside the file. If the file changes
    on disk while we edit, even during the last fsync, we edit the new version
    instead of overwriting it.
    """
    for _ in range(attempts):
        before = snapshot(path, missing_ok=create)
        edited = edit(before.text)
        if edited == before.text:
            return False
        if before.text is not None and not before.mode & stat.S_IWUSR:
            raise FileError(
                f"{path} is read-only", hint=f"{platform.make_writable(path)}, or pick another file"
            )
        try:
            _replace(before, edited, mode, journal, temp_dir, fsync, platform)
        except _Changed:
            continue
        except OSError as exc:
            raise FileError(
                f"cannot write {path}: {exc.strerror or exc}",
                hint=f"check the permissions of {before.path.parent}",
            ) from None
        return True
    raise FileError(f"{path} kept changing while devcreds edited it", hint="retry")


def _replace(
    before: Snapshot,
    text: str | None,
    mode: int | None,
    journal: Journal | None,
    temp_dir: Path | None,
    fsync: Fsync,
    platform: Platform,
) -> None:
    target = before.path
    if text is None:
        _check_unchanged(before)
        target.unlink()
    else:
        if before.text is None:
            missing_dirs(target.parent)
        temporary = _temporary_name(target, temp_dir)
        if journal is not None:
            journal.staging(temporary)
        fd = os.open(temporary, _CREATE_FLAGS | _BINARY, 0o600)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(text.encode("utf-8"))
                handle.flush()
                fsync(handle.fileno())
            Path(temporary).chmod(before.mode if mode is None else mode)
            # Checked after the fsync, which is where a slow disk leaves an editor time to save.
            _check_unchanged(before)
            replace(temporary, target, platform, lambda: _check_unchanged(before))
        except BaseException:
            with contextlib.suppress(OSError):
                temporary.unlink()
            raise
    if journal is None:
        return
    try:
        journal.replaced()
    except BaseException:
        # What the journal could not record must not stay in the file.
        after = snapshot(target, missing_ok=True)
        _replace(after, before.text, before.mode, None, temp_dir, fsync, platform)
        raise


def _temporary_name(target: Path, temp_dir: Path | None) -> Path:
    folder = target.parent
    if temp_dir is not None:
        with contextlib.suppress(OSError):
            private_dir(temp_dir)
            if temp_dir.stat().st_dev == folder.stat().st_dev:
                folder = temp_dir
    return folder / f".{target.name}.{secrets.token_hex(6)}.devcreds.tmp"


def _check_unchanged(before: Snapshot) -> None:
    try:
        now: tuple[int, int, int, int] | None = _identity(os.lstat(before.path))
    except FileNotFoundError:
        now = None
    if now != before.identity:
        raise _Changed


class LockTimeout(Exception):
    """Another process held the lock for longer than we were willing to wait."""

    def __init__(self, path: Path, holder: int | None) -> None:
        super().__init__(str(path))
        self.path = path
        self.holder = holder  # the holder's process id, as it wrote it into the lock file

    def holder_text(self) -> str:
        """'process 1234' (or 'another process'), for messages."""
        return f"process {self.holder}" if self.holder else "another process"


@contextlib.contextmanager
def exclusive(
    path: Path,
    timeout: float,
    waiting: Callable[[str], None] | None = None,
    platform: Platform = HOST,
) -> Iterator[None]:
    """Hold an exclusive advisory lock on ``path`` (created 0600) across processes.

    The filelock package does this too, but importing it costs ~10 ms on the
    renewal path, which has to keep up with boto3 (bench/); this is all we need
    of it. The lock is released by the OS if the process dies. The holder
    writes its process id into the file, so a waiter that gives up can name it, and
    ``waiting`` (if given) is told who holds it ("process 1234") when it must wait.
    """
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        deadline = time.monotonic() + timeout
        told = waiting is None
        while not _try_lock(fd, platform):
            if not told and waiting is not None:
                told = True
                holder = _holder(fd)
                waiting(f"process {holder}" if holder else "another process")
            if time.monotonic() > deadline:
                raise LockTimeout(path, _holder(fd))
            time.sleep(0.02)
        try:
            with contextlib.suppress(OSError):  # the pid is for messages only
                os.ftruncate(fd, 0)
                os.lseek(fd, 0, os.SEEK_SET)
                os.write(fd, f"{os.getpid()}\n".encode())
            yield
        finally:
            _unlock(fd, platform)
    finally:
        os.close(fd)


def _holder(fd: int) -> int | None:
    try:
        os.lseek(fd, 0, os.SEEK_SET)
        text = os.read(fd, 32).decode("ascii", "replace").strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None


# Windows locks byte ranges, and a locked byte cannot be read by anyone else: the lock is
# taken on a byte past the holder's process id, so that a waiter can still read who it is.
LOCKED_BYTE = 64


def _try_lock(fd: int, platform: Platform) -> bool:
    if platform.windows:
        msvcrt = platform.msvcrt
        os.lseek(fd, LOCKED_BYTE, os.SEEK_SET)  # locking() starts at the file position
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _unlock(fd: int, platform: Platform) -> None:
    if platform.windows:
        os.lseek(fd, LOCKED_BYTE, os.SEEK_SET)
        platform.msvcrt.locking(fd, platform.msvcrt.LK_UNLCK, 1)
        return
    import fcntl

    fcntl.flock(fd, fcntl.LOCK_UN)
