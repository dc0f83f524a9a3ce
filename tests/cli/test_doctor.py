"""``devcreds doctor`` names what is wrong, with the fix, and exits with its code."""

from __future__ import annotations

import json
import re


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
