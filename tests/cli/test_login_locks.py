"""Logins never make anyone wait who is not a person at the terminal, and heal themselves."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pexpect
import pytest

from devcreds import cache
from devcreds.errors import FileError
from devcreds.paths import Paths
from tests.cli.conftest import cli_environment
from tests.support import approve, wait_for


def _pending_codes(cli):
    with cli.emu.emulator.state.lock:
        return list(cli.emu.emulator.state.user_codes)


def test_export_during_a_pending_login_answers_at_once(make_cli):
    """While a person reads a device code, a credential_process export exits 3 at once."""
    cli = make_cli(auto_approve=False)
    cli.configure()
    login = cli.popen("login", "--profile", "dev", "--use-device-code", "--no-browser")
    wait_for(lambda: _pending_codes(cli), "the device code")
    started = time.monotonic()
    completed = cli.run("export", "--profile", "dev", timeout=30)
    waited = time.monotonic() - started
    assert completed.returncode == 3, completed.stderr
    assert "hint: devcreds login --profile dev" in completed.stderr
    assert waited < 10  # the lock is not held while the login waits (it used to wait 120 s)
    approve(cli.emu.url, _pending_codes(cli)[0])
    assert login.wait(timeout=30) == 0
    assert cli.export()["AccessKeyId"]


@pytest.mark.posix
def test_interactive_exports_share_one_login(make_cli):
    """Twenty exports on terminals, none logged in: one device login, all get its credentials."""
    cli = make_cli(auto_approve=False)
    cli.configure()
    children = [
        pexpect.spawn(
            sys.executable,
            ["-m", "devcreds", "export", "--profile", "dev", "--format", "json"],
            env=cli.env,
            encoding="utf-8",
            timeout=60,
        )
        for _ in range(20)
    ]
    wait_for(lambda: _pending_codes(cli), "the device code")
    approve(cli.emu.url, _pending_codes(cli)[0])
    keys = set()
    for child in children:
        child.expect(r'"AccessKeyId": "(\w+)"')
        keys.add(child.match.group(1))
        child.expect(pexpect.EOF)
    assert len(keys) == 1
    assert cli.emu.calls("StartDeviceAuthorization") == 1


def test_login_registers_again_when_the_registration_is_unknown(make_cli, start_emulator):
    """An emulator restarted under the same HOME (an instance recreated): login registers again."""
    cli = make_cli()
    cli.configure()
    cli.ok("login", "--profile", "dev", "--use-device-code", "--no-browser")
    fresh = start_emulator(real_time=True, auto_approve=True)
    cli.env = {**cli_environment(cli.home, fresh.url)}
    completed = cli.run("login", "--profile", "dev", "--use-device-code", "--no-browser")
    assert completed.returncode == 0, completed.stderr
    assert fresh.calls("RegisterClient") == 1
    assert fresh.calls("StartDeviceAuthorization") == 2  # the refused one, then the new one


def test_logout_all_forgets_the_client_registrations(logged_in):
    """logout --all deletes registrations too, as a fresh start after a broken instance."""
    logged_in.ok("logout", "--all")
    left = [json.loads(p.read_text()) for p in logged_in.sso_cache.glob("*.json")]
    assert [d for d in left if "clientSecret" in d] == []
    logged_in.ok("login", "--profile", "dev", "--use-device-code", "--no-browser")
    assert logged_in.emu.calls("RegisterClient") == 2


def test_a_lock_time_out_names_the_holder_and_never_says_delete(tmp_path):
    """Another process holds the session lock: the error names its pid, no 'delete' advice."""
    paths = Paths(tmp_path, tmp_path / "config", tmp_path / "credentials")
    locks = paths.state / "locks"
    locks.mkdir(parents=True)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(locks / "k.lock")],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(FileError) as exc, cache.named_lock(paths, "k", "corp", timeout=0.2):
            pass
    finally:
        holder.kill()
        holder.wait()
    assert f"process {holder.pid}" in exc.value.message
    assert "delete" not in f"{exc.value.message} {exc.value.hint}"


HOLD = """
import sys
from pathlib import Path
from devcreds.files import exclusive
with exclusive(Path(sys.argv[1]), timeout=5):
    print("held", flush=True)
    sys.stdin.read()
"""
