"""Output conventions of the listings: --output json|text|table (--json its alias), text when
piped, never cut to a width; relative times for people; status exit codes for scripts."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from devcreds.cli import render

NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("offset", "shown"),
    [
        (dt.timedelta(minutes=42, seconds=30), "2026-12-01 09:42 UTC (in 42 min)"),
        (dt.timedelta(hours=7, minutes=5), "2026-12-01 16:05 UTC (in 7 h 5 min)"),
        (dt.timedelta(seconds=20), "2026-12-01 09:00 UTC (in under a minute)"),
        (-dt.timedelta(minutes=3), "2026-12-01 08:57 UTC (3 min ago)"),
        (dt.timedelta(days=80), "2027-02-19 09:00 UTC (in 80 days)"),
    ],
)
def test_times_for_people_are_absolute_and_relative(offset, shown):
    assert render.when(NOW + offset, NOW) == shown


def test_piped_status_is_tab_separated_with_full_paths(logged_in, tmp_path):
    """A path far wider than 80 columns arrives whole; each line says what it is about."""
    deep = tmp_path / ("a-long-folder-name-" * 6) / "app"
    deep.mkdir(parents=True)
    target = deep / ".env"
    target.write_text("X=1\n")
    logged_in.ok("write", "dotenv", str(target), "--profile", "dev")
    completed = logged_in.run("status", COLUMNS="80")
    assert completed.returncode == 0, completed.stderr
    lines = [line.split("\t") for line in completed.stdout.splitlines()]
    kinds = [line[0] for line in lines]
    assert kinds == ["SESSION", "PROFILE", "FILE"]
    session, profile, written = lines
    assert session[1:4] == ["corp", "https://d-0123456789.awsapps.com/start", "us-east-1"]
    assert session[4] == "yes"
    assert profile[1:5] == ["dev", "corp", "111111111111", "Developer"]
    assert written[1] == str(target)
    assert dt.datetime.fromisoformat(written[4]) > dt.datetime.now(dt.UTC)  # ISO 8601, whole


def test_status_as_a_table_shows_how_long_is_left(logged_in):
    completed = logged_in.run("status", "--output", "table")
    assert completed.returncode == 0, completed.stderr
    assert "token expires" in completed.stdout
    assert "(in 59 min)" in completed.stdout or "(in 1 h)" in completed.stdout


def test_json_and_another_output_is_a_usage_error(logged_in):
    completed = logged_in.run("status", "--json", "--output", "text")
    assert completed.returncode == 2
    assert completed.stderr.startswith("error: --json and --output text ask for two formats")


def test_status_exit_code_says_whether_a_login_is_needed(logged_in):
    assert logged_in.run("status", "--profile", "dev").returncode == 0
    logged_in.ok("logout", "--profile", "dev")
    completed = logged_in.run("status", "--profile", "dev", "--output", "json")
    assert completed.returncode == 3
    assert json.loads(completed.stdout)["sessions"][0]["needsLogin"] is True
    assert "hint: devcreds login --sso-session corp" in completed.stderr


def test_status_with_nothing_configured_says_what_to_do(make_cli):
    completed = make_cli().run("status")
    assert completed.returncode == 2
    assert "hint: devcreds configure sso --help" in completed.stderr


def test_roles_as_text_is_one_tab_separated_line_per_role(logged_in):
    lines = logged_in.ok("roles", "--profile", "dev", "--output", "text").splitlines()
    assert lines[0] == "111111111111\tdev\tDeveloper"
    assert len(lines) == 6
    assert json.loads(logged_in.ok("roles", "--profile", "dev", "--output", "json"))[0] == {
        "accountId": "111111111111",
        "accountName": "dev",
        "roleName": "Developer",
    }
