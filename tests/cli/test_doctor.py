"""``devcreds doctor`` names what is wrong, with the fix, and exits with its code."""

from __future__ import annotations

import datetime as dt
import json
import re
import stat
import subprocess

from devcreds import doctor
from devcreds.paths import Paths
from devcreds.platforms import Platform
from tests.support import find_current_aws_cli, require_tool


def _checks(completed) -> dict[str, dict[str, str]]:
    return {c["check"]: c for c in json.loads(completed.stdout)}


def test_a_healthy_profile_passes_every_check(logged_in):
    logged_in.configure(region="eu-west-1")
    completed = logged_in.run("doctor", "--profile", "dev", "--json")
    assert completed.returncode == 0, completed.stdout
    found = json.loads(completed.stdout)
    assert [c["check"] for c in found if c["level"] in ("warn", "fail")] == []
    names = {c["check"] for c in found}
    assert {"config", "profile", "region", "sso-session", "token", "renewal", "clock"} <= names


def test_a_broken_config_is_the_first_failure_and_exit_2(cli):
    cli.config.write_text(cli.config.read_text() + "\n[profile broken\nregion = x\n")
    completed = cli.run("doctor", "--profile", "dev")
    assert completed.returncode == 2
    config_line = next(line for line in completed.stdout.splitlines() if " config " in line)
    assert config_line.startswith("FAIL")
    assert "the section header is not closed with ]" in config_line
    assert "token" not in completed.stdout  # nothing is checked on a config that cannot load


def test_an_expired_token_without_renewal_needs_a_login(logged_in):
    path = next(p for p in logged_in.sso_cache.glob("*.json") if "accessToken" in p.read_text())
    token = json.loads(path.read_text())
    token["expiresAt"] = "2020-01-01T00:00:00Z"
    del token["refreshToken"]
    path.write_text(json.dumps(token))
    completed = logged_in.run("doctor", "--profile", "dev", "--json")
    assert completed.returncode == 3
    found = _checks(completed)
    assert found["token"]["level"] == "fail"
    assert found["token"]["text"] == "the token expired at 2020-01-01T00:00:00Z"
    assert found["token"]["fix"] == "devcreds login --profile dev"
    assert token["accessToken"] not in completed.stdout


def test_a_skewed_clock_is_found_through_the_servers_date_header(make_cli):
    cli = make_cli(clock_skew=-900)
    cli.configure(region="eu-west-1")
    cli.ok("login", "--profile", "dev", "--use-device-code")
    completed = cli.run("doctor", "--profile", "dev")
    assert completed.returncode == 5
    clock = next(line for line in completed.stdout.splitlines() if " clock " in line)
    assert clock.startswith("FAIL")
    assert re.search(r"this clock is (899|900|901) s ahead of IAM Identity Center", clock)
    assert "fix: sync this computer's clock" in completed.stdout


def test_a_world_readable_cache_file_fails_with_its_chmod(logged_in):
    path = next(p for p in logged_in.sso_cache.glob("*.json") if "accessToken" in p.read_text())
    path.chmod(0o644)
    completed = logged_in.run("doctor", "--profile", "dev", "--json")
    assert completed.returncode == 6
    found = _checks(completed)
    assert found["permissions"]["level"] == "fail"
    assert f"chmod 600 {path}" in found["permissions"]["fix"]
    assert "devcreds logout" in found["permissions"]["fix"]


def test_a_proxy_password_is_never_shown(logged_in):
    completed = logged_in.run(
        "doctor", "--profile", "dev", HTTPS_PROXY="http://me:s3cret-pass@127.0.0.1:9", NO_PROXY="*"
    )
    assert "s3cret-pass" not in completed.stdout + completed.stderr
    assert "HTTPS_PROXY=http://me:***@127.0.0.1:9" in completed.stdout


def _examine(cli, platform, skew=0):
    """doctor's checks in-process, for a platform other than this machine's; the portal's
    clock ``skew`` seconds ahead."""
    environ = {k: v for k, v in cli.env.items() if k.startswith("AWS_")} | {
        "USERPROFILE": str(cli.home)
    }
    paths = Paths.from_environ(environ | {"HOME": str(cli.home)}, platform)
    now = dt.datetime.now(dt.UTC)
    return {
        c.name: c
        for c in doctor.examine(
            paths, environ, "dev", now, lambda _: now + dt.timedelta(seconds=skew), platform
        )
    }


def _windows_modes(home):
    """What os.stat reports on Windows: every file 0o666, every folder 0o777."""
    for path in [home, *home.rglob("*")]:
        path.chmod(0o777 if path.is_dir() else 0o666)


def test_a_windows_home_is_no_false_failure(logged_in):
    """On Windows, modes mean nothing: no failure, an info naming icacls, not chmod."""
    logged_in.configure(region="eu-west-1")
    logged_in.export()
    _windows_modes(logged_in.home)
    found = _examine(logged_in, Platform("win32"))
    assert [c.name for c in found.values() if c.level in ("warn", "fail")] == []
    assert found["permissions"].level == "info"
    assert found["permissions"].fix.startswith(
        f"to see who may read the tokens: icacls '{logged_in.sso_cache}'"
    )
    assert "chmod" not in str(list(found.values()))


def test_the_same_home_on_linux_fails_with_chmod_fixes(logged_in):
    """The very files judged on Linux: the loose token is a failure there, fixed by chmod."""
    logged_in.export()
    _windows_modes(logged_in.home)
    found = _examine(logged_in, Platform("linux"))
    assert found["permissions"].level == "fail"
    assert "chmod 600 " in found["permissions"].fix
    assert found["folders"].level == "warn"


def test_the_clock_fix_is_worded_for_each_platform(logged_in):
    """The clock's fix names the platform's own command."""
    words = {
        name: _examine(logged_in, Platform(name), skew=900)["clock"].fix
        for name in ("win32", "darwin", "linux")
    }
    assert "w32tm /resync" in words["win32"]
    assert "sntp" in words["darwin"]
    assert "timedatectl" in words["linux"]


def test_a_home_the_current_aws_cli_made_has_no_failure(cli):
    """aws sso login and aws sts, then doctor: the AWS CLI's 0755 folders are a warning, its
    0644 session.db is not judged, its 0600 tokens and credentials pass: no failure."""
    aws = require_tool(find_current_aws_cli(), "the current AWS CLI v2 (.awscli-v2, see .ci/run)")
    env = {**cli.env, **cli.browser(), "AWS_REGION": "us-east-1"}
    for args in (
        ["sso", "login", "--profile", "dev"],
        ["sts", "get-caller-identity", "--profile", "dev"],
    ):
        done = subprocess.run(
            [aws, *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
            stdin=subprocess.DEVNULL,
        )
        assert done.returncode == 0, done.stderr
    assert stat.S_IMODE(cli.sso_cache.stat().st_mode) == 0o755  # as the AWS CLI makes it
    completed = cli.run("doctor", "--profile", "dev", "--json")
    found = _checks(completed)
    assert completed.returncode == 0, completed.stdout
    assert found["permissions"]["level"] == "ok"
    assert found["folders"]["level"] == "warn"
    assert f"chmod 700 {cli.sso_cache}" in found["folders"]["fix"]
