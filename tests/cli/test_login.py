"""``devcreds login`` with the device code against the emulator."""

from __future__ import annotations

import hashlib
import json
import re
import stat
import threading

import pytest

from tests.support import approve


def test_login_writes_the_token_where_the_aws_cli_reads_it(logged_in):
    """The token file is sha1(session name).json with the AWS CLI's fields, 0600 in 0700."""
    path = logged_in.sso_cache / f"{hashlib.sha1(b'corp').hexdigest()}.json"
    token = json.loads(path.read_text())
    assert set(token) == {
        "startUrl",
        "region",
        "accessToken",
        "expiresAt",
        "clientId",
        "clientSecret",
        "registrationExpiresAt",
        "refreshToken",
    }
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", token["expiresAt"])
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_second_login_reuses_the_registration(logged_in):
    """A cached client registration is reused: one RegisterClient for two logins."""
    logged_in.ok("login", "--profile", "dev", "--use-device-code")
    assert logged_in.emu.calls("RegisterClient") == 1
    assert logged_in.emu.calls("StartDeviceAuthorization") == 2


def _wait_for_code(process):
    """Read stderr until the user code line appears; return the code."""
    for line in process.stderr:
        match = re.search(r"confirm the code: ([A-Z]{4}-[A-Z]{4})", line)
        if match:
            return match.group(1)
    raise AssertionError("no user code shown")


def test_login_waits_for_approval_through_the_hook(make_cli):
    """Without auto-approve, the login polls until the code is approved, then succeeds."""
    cli = make_cli(auto_approve=False)
    cli.configure()
    process = cli.popen("login", "--profile", "dev", "--use-device-code")
    code = _wait_for_code(process)
    approve(cli.emu.url, code)
    _, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    assert "Logged in to" in err


def test_denied_login_is_exit_4(make_cli):
    """Deny ends the login with exit code 4 and a hint to try again."""
    cli = make_cli(auto_approve=False)
    cli.configure()
    process = cli.popen("login", "--profile", "dev", "--use-device-code")
    approve(cli.emu.url, _wait_for_code(process), "deny")
    _, err = process.communicate(timeout=30)
    assert process.returncode == 4
    assert "error: the sign-in request was denied" in err
    assert "hint: devcreds login --profile dev" in err


def test_expired_code_is_exit_3(make_cli):
    """A code nobody approves expires: exit 3, a clear message, no traceback."""
    cli = make_cli(auto_approve=False, device_code_ttl=2)
    cli.configure()
    completed = cli.run("login", "--profile", "dev", "--use-device-code", timeout=30)
    assert completed.returncode == 3
    assert "error: the sign-in code expired before it was approved" in completed.stderr
    assert "Traceback" not in completed.stderr


def test_login_rides_out_server_errors_and_dropped_connections(make_cli):
    """Injected 500s and dropped connections during login are retried until it succeeds."""
    cli = make_cli(fault_rate=0.3, seed=3)
    cli.configure()
    cli.ok("login", "--profile", "dev", "--use-device-code")
    calls = cli.emu.stats()["calls"]
    operations = ("RegisterClient", "StartDeviceAuthorization", "CreateToken")
    assert sum(calls[name] for name in operations) > len(operations)  # some calls were retried


def test_network_down_is_exit_5(cli):
    """With nothing listening at the endpoint: exit 5, one error line and a hint."""
    completed = cli.run(
        "login", "--profile", "dev", "--use-device-code", AWS_ENDPOINT_URL="http://127.0.0.1:9"
    )
    assert completed.returncode == 5
    flow, error, *_ = completed.stderr.splitlines()
    assert flow == "Signing in with a device code: --use-device-code given."
    assert error.startswith("error: registering the client failed")
    assert "hint: check the network" in completed.stderr
    assert "Traceback" not in completed.stderr


def test_login_by_sso_session(cli):
    """--sso-session logs in without naming a profile."""
    cli.ok("login", "--sso-session", "corp", "--use-device-code")
    assert cli.emu.calls("CreateToken") == 1


def test_login_takes_the_aws_cli_device_code_option(cli):
    """aws sso login's --use-device-code is accepted: the device flow runs."""
    cli.ok("login", "--profile", "dev", "--use-device-code", "--use-device-code", "--no-browser")
    assert cli.emu.calls("StartDeviceAuthorization") == 1


def test_profile_and_session_together_is_a_usage_error(cli):
    """--profile with --sso-session is refused with exit 2."""
    completed = cli.run("login", "--profile", "dev", "--sso-session", "corp")
    assert completed.returncode == 2


def test_concurrent_logins_all_succeed_with_one_registration(make_cli):
    """Three logins of one session at once all succeed and register one client."""
    cli = make_cli()
    cli.configure()
    results = []
    threads = [
        threading.Thread(
            target=lambda: results.append(cli.run("login", "--profile", "dev", "--use-device-code"))
        )
        for _ in range(3)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [r.returncode for r in results] == [0, 0, 0]
    assert cli.emu.calls("RegisterClient") == 1


def test_legacy_profile_token_is_keyed_by_start_url(make_cli):
    """A profile with its own sso_start_url caches its token at sha1(start URL)."""
    cli = make_cli()
    cli.config.parent.mkdir(parents=True)
    cli.config.write_text(
        "[profile old]\nsso_start_url = https://d-0123456789.awsapps.com/start\n"
        "sso_region = us-east-1\nsso_account_id = 111111111111\nsso_role_name = ReadOnly\n"
    )
    cli.ok("login", "--profile", "old")
    key = hashlib.sha1(b"https://d-0123456789.awsapps.com/start").hexdigest()
    assert (cli.sso_cache / f"{key}.json").exists()
    assert cli.export("old")["AccountId"] == "111111111111"


def test_a_loose_cache_file_is_made_private_when_read(logged_in):
    """Cache files left 0644 (an older tool, a loose umask) are 0600 once devcreds reads them."""
    logged_in.export()
    files = [*logged_in.sso_cache.glob("*.json"), *logged_in.cli_cache.glob("*.json")]
    assert len(files) >= 2
    for path in files:
        path.chmod(0o644)
    logged_in.export()  # the role credentials
    logged_in.ok("status")  # the token
    logged_in.ok(
        "login", "--profile", "dev", "--use-device-code", "--no-browser"
    )  # the registration
    assert {path.name: stat.S_IMODE(path.stat().st_mode) for path in files} == {
        path.name: 0o600 for path in files
    }


def _device_login_on_a_terminal(cli, columns):
    """login --use-device-code on a pseudo-terminal this wide; what it printed, once approved."""
    import sys

    import pexpect

    env = {k: v for k, v in cli.env.items() if k != "COLUMNS"}
    child = pexpect.spawn(
        sys.executable,
        ["-m", "devcreds", "login", "--profile", "dev", "--use-device-code", "--no-browser"],
        env=env,
        encoding="utf-8",
        timeout=60,
        dimensions=(60, columns),
    )
    child.expect(r"open:\r\n  (\S+)\r\n")
    url = child.match.group(1)
    child.expect("confirm the code")
    shown = child.before
    with cli.emu.emulator.state.lock:
        (code,) = list(cli.emu.emulator.state.user_codes)
    approve(cli.emu.url, code)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    return url, shown.replace("\r\n", "\n")


@pytest.mark.posix
def test_a_wide_terminal_shows_the_url_as_a_qr_code(make_cli):
    """The QR code printed is segno's code of the verification URL, line for line."""
    from devcreds.cli.ui import qr_code

    cli = make_cli(auto_approve=False)
    cli.configure()
    url, shown = _device_login_on_a_terminal(cli, 120)
    assert "scan it with a phone" in shown
    assert qr_code(url) in shown


@pytest.mark.posix
def test_a_narrow_terminal_shows_no_qr_code(make_cli):
    """Where the code would not fit, only the URL and the code are shown."""
    cli = make_cli(auto_approve=False)
    cli.configure()
    _, shown = _device_login_on_a_terminal(cli, 30)
    assert "scan it" not in shown
    assert "█" not in shown
