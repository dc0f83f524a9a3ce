"""Only regular files are written: a FIFO, socket, device or folder is refused, fast, untouched."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import stat
import tempfile
import threading
from pathlib import Path

import pytest

from devcreds.errors import FileError
from devcreds.sinks import deliver, record
from devcreds.sinks.deliver import Delivery
from tests.sinks.flow import CREDS, NOW, Sinks


@pytest.fixture
def short_dir():
    """A folder with a path short enough for an AF_UNIX socket (tmp_path may be too long)."""
    folder = Path(tempfile.mkdtemp(prefix="dc-", dir="/tmp"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def _fifo(folder: Path, name: str, _: list[socket.socket]) -> tuple[Path, Path]:
    path = folder / name
    os.mkfifo(path)
    return path, path


def _socket(folder: Path, name: str, sockets: list[socket.socket]) -> tuple[Path, Path]:
    path = folder / name
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(path))
    server.listen(1)
    sockets.append(server)
    return path, path


def _device(folder: Path, name: str, _: list[socket.socket]) -> tuple[Path, Path]:
    if getattr(os, "geteuid", lambda: -1)() != 0:  # Windows has no root
        pytest.skip("creating a character device needs root")
    path = folder / name
    try:
        os.mknod(path, stat.S_IFCHR | 0o600, os.makedev(1, 3))  # /dev/null's numbers
    except PermissionError:
        pytest.skip("this container may not create device nodes (no CAP_MKNOD)")
    return path, path


def _folder(folder: Path, name: str, _: list[socket.socket]) -> tuple[Path, Path]:
    path = folder / name
    path.mkdir()
    return path, path


def _link_to_fifo(folder: Path, name: str, _: list[socket.socket]) -> tuple[Path, Path]:
    fifo = folder / "the-fifo"
    os.mkfifo(fifo)
    link = folder / name
    link.symlink_to(fifo)
    return link, fifo


SPECIAL = {
    "fifo": (_fifo, stat.S_ISFIFO, "a FIFO"),
    "socket": (_socket, stat.S_ISSOCK, "a socket"),
    "device": (_device, stat.S_ISCHR, "a device"),
    "folder": (_folder, stat.S_ISDIR, "a folder"),
    "symlink-to-fifo": (_link_to_fifo, stat.S_ISFIFO, "a FIFO"),
}
KINDS = {"dotenv": ".env", "launchsettings": "launchSettings.json"}


@pytest.mark.parametrize("kind", sorted(KINDS))
@pytest.mark.parametrize("special", sorted(SPECIAL))
def test_write_refuses_a_file_that_is_not_regular(tmp_path, short_dir, kind, special):
    """A non-regular target fails fast with a FileError naming its type, and is left as it was."""
    make, is_type, what = SPECIAL[special]
    sockets: list[socket.socket] = []
    path, real = make(short_dir, KINDS[kind], sockets)
    sinks = Sinks.at(tmp_path / "home")
    reports = []
    writer = threading.Thread(
        target=lambda: reports.append(sinks.write(kind, path, check=False)), daemon=True
    )
    try:
        writer.start()
        writer.join(timeout=10)
        assert not writer.is_alive(), f"write blocked on {special}"
    finally:
        if writer.is_alive():  # unblock a reader stuck on the FIFO so the thread can end
            with contextlib.suppress(OSError):
                os.close(os.open(real, os.O_WRONLY | os.O_NONBLOCK))
        for server in sockets:
            server.close()

    [report] = reports
    [outcome] = report.outcomes
    assert isinstance(outcome.error, FileError), outcome
    assert outcome.error.exit_code == 6
    assert f"is {what}, not a regular file" in outcome.error.message
    assert not outcome.changed
    assert is_type(os.lstat(real).st_mode)
    if path != real:
        assert path.is_symlink()
        assert path.resolve() == real
    assert sorted(p.name for p in short_dir.iterdir()) == sorted({path.name, real.name})
    assert not record.record_file(sinks.paths, path).exists()
    temporaries = record.temp_dir(sinks.paths)
    assert not temporaries.exists() or list(temporaries.iterdir()) == []


def test_existing_only_never_creates_a_file(tmp_path):
    """refresh's write: a .env that is gone stays gone (a plain write would create it)."""
    sinks = Sinks.at(tmp_path / "home")
    path = tmp_path / ".env"
    report = deliver.write(
        sinks.paths,
        "dotenv",
        [path],
        lambda: Delivery(dict(CREDS), "dev", NOW),
        now=NOW,
        existing_only=True,
    )
    assert isinstance(report.failures[0].error, FileError)
    assert not path.exists()
