"""``devcreds watch`` as a process: one cycle with --once, and the signals that end it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.conftest import Cli
from tests.cli.test_refresh import credentials_live, env_of
from tests.support import wait_for


@pytest.fixture
def expired(make_cli) -> Cli:
    """Logged in; every file written gets credentials that have already expired."""
    cli = make_cli(credentials_ttl=0)
    cli.configure()
    cli.ok("login", "--profile", "dev", "--use-device-code", "--no-browser")
    return cli


def watching(cli: Cli, log: Path, *args: str) -> subprocess.Popen[str]:
    """``devcreds watch`` in the background, its stderr in ``log``."""
    with log.open("w") as stderr:
        return subprocess.Popen(
            [sys.executable, "-m", "devcreds", "watch", *args],
            env=cli.env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            text=True,
        )


def test_once_rewrites_the_due_files_and_exits_0(expired, tmp_path):
    """--once: one cycle, the expired file rewritten with new keys, a line saying so."""
    path = tmp_path / ".env"
    expired.ok("write", "dotenv", str(path), "--profile", "dev")
    key = env_of(path)["AWS_ACCESS_KEY_ID"]
    credentials_live(expired, 3600)
    completed = expired.run("watch", "--once")
    assert completed.returncode == 0, completed.stderr
    assert f"updated {path} (profile dev, until " in completed.stderr
    assert env_of(path)["AWS_ACCESS_KEY_ID"] != key


def test_once_when_only_a_login_helps_is_exit_3_says_so_and_notifies(expired, tmp_path):
    """Logged out: exit 3 with the login hint, and a desktop notification naming it (through
    whichever notifier is on PATH; here one that notes what it was given)."""
    path = tmp_path / ".env"
    expired.ok("write", "dotenv", str(path), "--profile", "dev")
    expired.ok("logout", "--profile", "dev")
    tools = tmp_path / "bin"
    tools.mkdir()
    noted = tmp_path / "notified"
    for name in ("notify-send", "osascript"):
        tool = tools / name
        tool.write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" >> "{noted}"\n')
        tool.chmod(0o755)
    completed = expired.run("watch", "--once", PATH=f"{tools}{os.pathsep}{os.environ['PATH']}")
    assert completed.returncode == 3
    assert "run devcreds login --profile dev" in completed.stderr
    assert "hint: devcreds login --profile dev" in completed.stderr
    assert "Traceback" not in completed.stderr
    assert "devcreds login --profile dev" in noted.read_text()


def test_sigterm_ends_the_watch_at_once_with_exit_0(logged_in, tmp_path):
    """SIGTERM while the watch sleeps (its file fresh for an hour): exit 0 right away, a
    last line, no traceback."""
    logged_in.ok("write", "dotenv", str(tmp_path / ".env"), "--profile", "dev")
    log = tmp_path / "watch.log"
    process = watching(logged_in, log)
    wait_for(lambda: "watching 1 file" in log.read_text(), "the watch to start")
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=20) == 0
    text = log.read_text()
    assert text.rstrip().endswith("stopped")
    assert "Traceback" not in text


def test_ctrl_c_ends_the_watch_with_130(logged_in, tmp_path):
    """SIGINT, as Ctrl-C sends it: exit 130, as everywhere in the CLI, without a traceback."""
    logged_in.ok("write", "dotenv", str(tmp_path / ".env"), "--profile", "dev")
    log = tmp_path / "watch.log"
    process = watching(logged_in, log)
    wait_for(lambda: "watching 1 file" in log.read_text(), "the watch to start")
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=20) == 130
    assert "Traceback" not in log.read_text()
