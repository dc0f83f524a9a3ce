"""``devcreds write`` and ``clean`` as a user runs them: nothing the user had is lost."""

from __future__ import annotations

import json

USER_ENV = "APP=1\nAWS_ACCESS_KEY_ID=AKIAUSEROWNKEY # mine\nAWS_REGION=us-east-2\n"


def test_write_says_what_it_kept_and_clean_puts_it_back(logged_in, tmp_path):
    """A user's AWS key in .env: one 'kept' line, never the value; clean restores every byte."""
    path = tmp_path / ".env"
    path.write_text(USER_ENV)
    completed = logged_in.run(
        "write", "dotenv", str(path), "--profile", "dev", "--with-region", AWS_REGION="eu-west-1"
    )
    assert completed.returncode == 0, completed.stderr
    kept = [line for line in completed.stderr.splitlines() if line.startswith("kept")]
    assert kept == [
        f"kept the earlier AWS_ACCESS_KEY_ID, AWS_REGION of {path}; devcreds clean puts them back"
    ]
    assert "AKIAUSEROWNKEY" not in completed.stderr + completed.stdout
    assert "AKIAUSEROWNKEY" not in path.read_text()
    logged_in.ok("clean", str(path))
    assert path.read_text() == USER_ENV


def test_unknown_launch_profile_is_a_usage_error_naming_the_profiles(logged_in, tmp_path):
    """--launch-profile Nope: exit 2, the profiles that exist, the file untouched, no record."""
    path = tmp_path / "launchSettings.json"
    original = '{"profiles": {"Web": {}, "Api": {}}}'
    path.write_text(original)
    completed = logged_in.run(
        "write", "launchsettings", str(path), "--launch-profile", "Nope", "--profile", "dev"
    )
    assert completed.returncode == 2
    assert 'no launch profile "Nope" (the file has: "Web", "Api")' in completed.stderr
    assert path.read_text() == original
    assert json.loads(logged_in.ok("status", "--json"))["sinks"] == []


def test_clean_all_with_nothing_written_says_so(logged_in):
    """clean --all before any write: exit 0 and a line saying there was nothing."""
    completed = logged_in.run("clean", "--all")
    assert completed.returncode == 0
    assert "nothing to clean" in completed.stderr


def test_status_lists_the_targets_written(logged_in, tmp_path):
    """status --json names the launch profiles devcreds wrote, and no secret."""
    path = tmp_path / "launchSettings.json"
    path.write_text('{"profiles": {"Web": {"commandName": "Project"}}}')
    logged_in.ok("write", "launchsettings", str(path), "--profile", "dev")
    status = logged_in.ok("status", "--json")
    (sink,) = json.loads(status)["sinks"]
    assert (sink["path"], sink["targets"], sink["interrupted"]) == (
        str(path),
        'launchsettings (launch profiles "Web")',
        False,
    )
    assert logged_in.export()["SecretAccessKey"] not in status


def test_an_unreadable_record_is_moved_aside_with_a_warning(logged_in, tmp_path):
    """A damaged record: clean warns and keeps it aside; nothing is erased."""
    path = tmp_path / ".env"
    logged_in.ok("write", "dotenv", str(path), "--profile", "dev")
    (record,) = (logged_in.home / ".aws" / "devcreds" / "sinks").glob("*.json")
    record.write_text("{not json")
    completed = logged_in.run("write", "dotenv", str(path), "--profile", "dev")
    assert completed.returncode == 0, completed.stderr
    assert "could not be read" in completed.stderr
    aside = list(record.parent.glob("*.unreadable-*"))
    assert [p.read_text() for p in aside] == ["{not json"]
