"""Windows' file rules through the platform seam: a held file is waited for, then named;
the lock is msvcrt's byte-range lock, taken where the holder's process id stays readable."""

from __future__ import annotations

import os
import types
from pathlib import Path

import pytest

from devcreds import files
from devcreds.errors import FileError
from devcreds.platforms import Platform

ORIGINAL = '{\n  "profiles": {}\n}\n'


class Held:
    """os.replace as Windows answers it while another program holds the target open:
    a sharing violation (PermissionError) for the first ``times`` calls."""

    def __init__(self, times: int, meanwhile: Path | None = None) -> None:
        self.times = times
        self.calls = 0
        self.meanwhile = meanwhile  # a file the holder saves while devcreds waits

    def __call__(self, source: str, target: str) -> None:
        self.calls += 1
        if self.calls <= self.times:
            if self.meanwhile is not None:
                self.meanwhile.write_text(ORIGINAL.replace("{}", '{"saved": 1}'))
                self.meanwhile = None
            raise PermissionError(
                13, "The process cannot access the file because it is being used by another process"
            )
        Path(source).replace(target)


def _windows(replace: Held, waits: list[float]) -> Platform:
    return Platform("win32", replace=replace, sleep=waits.append)


def _edit(text: str | None) -> str:
    assert text is not None
    return text.replace("}\n}", '}, "written": true\n}')


@pytest.fixture
def launch(tmp_path: Path) -> Path:
    path = tmp_path / "launchSettings.json"
    path.write_text(ORIGINAL)
    return path


def test_a_briefly_held_file_is_replaced_after_waiting(launch):
    """Two sharing violations, then the rename succeeds: the file is written after two waits."""
    waits: list[float] = []
    held = Held(times=2)
    assert files.rewrite(launch, _edit, platform=_windows(held, waits))
    assert launch.read_text() == _edit(ORIGINAL)
    assert waits == list(files.REPLACE_WAITS[:2])
    assert sorted(p.name for p in launch.parent.iterdir()) == ["launchSettings.json"]


def test_a_file_held_past_the_budget_is_named_and_left_untouched(launch):
    """Held throughout: one error naming the likely holders, after about two seconds of
    waits; the file keeps its bytes and no temporary file is left."""
    waits: list[float] = []
    with pytest.raises(FileError) as caught:
        files.rewrite(launch, _edit, platform=_windows(Held(times=99), waits))
    assert caught.value.message == f"cannot replace {launch}: another program holds it open"
    assert "Visual Studio" in caught.value.hint
    assert waits == list(files.REPLACE_WAITS)
    assert 1.5 <= sum(waits) <= 3
    assert launch.read_text() == ORIGINAL
    assert sorted(p.name for p in launch.parent.iterdir()) == ["launchSettings.json"]


def test_a_file_saved_while_devcreds_waits_is_edited_again(launch):
    """The holder saves during the wait: the edit is made to the saved version, not over it."""
    waits: list[float] = []
    files.rewrite(launch, _edit, platform=_windows(Held(times=1, meanwhile=launch), waits))
    assert launch.read_text() == _edit(ORIGINAL.replace("{}", '{"saved": 1}'))


def test_on_linux_a_permission_error_is_not_waited_for(launch):
    """Elsewhere a PermissionError means what it says: no retry, the usual error."""
    waits: list[float] = []
    with pytest.raises(FileError) as caught:
        files.rewrite(
            launch, _edit, platform=Platform("linux", replace=Held(99), sleep=waits.append)
        )
    assert caught.value.message.startswith(f"cannot write {launch}")
    assert waits == []
    assert launch.read_text() == ORIGINAL


def test_devcreds_own_files_wait_for_a_holder_too(tmp_path):
    """atomic_write (caches, the record) goes through the same wait."""
    waits: list[float] = []
    target = tmp_path / "cache.json"
    files.atomic_write(target, b"{}", platform=_windows(Held(times=3), waits))
    assert target.read_bytes() == b"{}"
    assert len(waits) == 3


def test_a_read_only_file_on_windows_is_fixed_in_powershell_words(launch):
    """The hint for a read-only file is PowerShell's, not chmod."""
    launch.chmod(0o444)
    with pytest.raises(FileError) as caught:
        files.rewrite(launch, _edit, platform=Platform("win32"))
    assert caught.value.hint.startswith(
        f"Set-ItemProperty '{launch}' -Name IsReadOnly -Value $false"
    )


class FakeMsvcrt(types.SimpleNamespace):
    """msvcrt.locking as Windows behaves: a locked byte refuses LK_NBLCK while held by
    another process (``busy`` attempts), recording (mode, bytes, file position)."""

    LK_UNLCK = 0
    LK_NBLCK = 2

    def __init__(self, busy: int = 0) -> None:
        super().__init__(calls=[], busy=busy)

    def locking(self, fd: int, mode: int, nbytes: int) -> None:
        self.calls.append((mode, nbytes, os.lseek(fd, 0, os.SEEK_CUR)))
        if mode == self.LK_NBLCK and self.busy:
            self.busy -= 1
            raise PermissionError(13, "Permission denied")


def test_the_msvcrt_lock_takes_one_byte_past_the_process_id(tmp_path):
    """Lock, then unlock, the same byte past the pid the holder writes at the start."""
    fake = FakeMsvcrt()
    lock = tmp_path / "sink.lock"
    with files.exclusive(lock, timeout=1, platform=Platform("win32", msvcrt=fake)):
        assert lock.read_text() == f"{os.getpid()}\n"
    assert fake.calls == [
        (fake.LK_NBLCK, 1, files.LOCKED_BYTE),
        (fake.LK_UNLCK, 1, files.LOCKED_BYTE),
    ]
    assert files.LOCKED_BYTE >= 32  # the holder's pid, read by waiters, stays outside it


def test_a_waiter_on_the_msvcrt_lock_names_the_holder(tmp_path):
    """Held by process 4242 for two attempts: the waiter is told who, then gets the lock,
    still on the same byte (reading the pid moved the file position)."""
    fake = FakeMsvcrt(busy=2)
    lock = tmp_path / "sink.lock"
    lock.write_text("4242\n")
    told: list[str] = []
    with files.exclusive(
        lock, timeout=5, waiting=told.append, platform=Platform("win32", msvcrt=fake)
    ):
        pass
    assert told == ["process 4242"]
    assert [position for _, _, position in fake.calls] == [files.LOCKED_BYTE] * 4


def test_a_msvcrt_lock_held_too_long_times_out_naming_the_holder(tmp_path):
    """Never released: LockTimeout with the holder's pid."""
    fake = FakeMsvcrt(busy=10**9)
    lock = tmp_path / "sink.lock"
    lock.write_text("4242\n")
    with (
        pytest.raises(files.LockTimeout) as caught,
        files.exclusive(lock, timeout=0, platform=Platform("win32", msvcrt=fake)),
    ):
        pass
    assert caught.value.holder == 4242
