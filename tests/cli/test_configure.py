"""``devcreds configure sso``: the two sections, nothing else touched."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pexpect
import pytest
from botocore.configloader import load_config

from tests.support import START_URL

SAMPLES = Path(__file__).parents[1] / "samples" / "ini"


def test_writes_session_and_profile_that_botocore_reads(cli):
    """botocore sees the profile with its sso-session."""
    config = load_config(str(cli.config))
    assert config["profiles"]["dev"] == {
        "sso_session": "corp",
        "sso_account_id": "111111111111",
        "sso_role_name": "Developer",
    }
    assert config["sso_sessions"]["corp"] == {
        "sso_start_url": START_URL,
        "sso_region": "us-east-1",
        "sso_registration_scopes": "sso:account:access",
    }


def test_existing_file_keeps_every_byte(make_cli):
    """Into the CRLF torture file: the old bytes stay, new lines are CRLF too."""
    cli = make_cli()
    cli.config.parent.mkdir(parents=True)
    shutil.copyfile(SAMPLES / "synthetic__aws_config_crlf", cli.config)
    original = cli.config.read_bytes()
    cli.configure(profile="new", session="fresh", region="eu-west-1")
    edited = cli.config.read_bytes()
    assert edited.startswith(original.rstrip(b"\r\n"))
    assert b"\n" not in edited.replace(b"\r\n", b"")
    assert load_config(str(cli.config))["profiles"]["new"]["region"] == "eu-west-1"


def test_changing_the_role_changes_one_line(cli):
    """Configuring the same profile with another role rewrites only sso_role_name."""
    before = cli.config.read_text().splitlines()
    cli.configure(role="ReadOnly")
    after = cli.config.read_text().splitlines()
    assert [(a, b) for a, b in zip(before, after, strict=True) if a != b] == [
        ("sso_role_name = Developer", "sso_role_name = ReadOnly")
    ]


def test_default_profile_is_written_as_default(make_cli):
    """--profile default writes [default], as the AWS CLI does."""
    cli = make_cli()
    cli.configure(profile="default")
    assert "[default]\n" in cli.config.read_text()


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("--start-url", "http://insecure.example/start"),
        ("--sso-region", "moon-1"),
        ("--account-id", "12345"),
        ("--role-name", "bad role"),
        ("--profile", "bad]name"),
        ("--region", "us-east-1\n[evil]"),
    ],
)
def test_invalid_values_are_refused_and_the_file_untouched(cli, option, value):
    """Every bad value is exit 2, naming the option; the config stays as it was."""
    before = cli.config.read_bytes()
    args = {
        "--profile": "dev",
        "--sso-session": "corp",
        "--start-url": START_URL,
        "--sso-region": "us-east-1",
        "--account-id": "111111111111",
        "--role-name": "Developer",
    }
    args[option] = value
    completed = cli.run("configure", "sso", *[x for pair in args.items() for x in pair])
    assert completed.returncode == 2
    assert f"invalid {option}" in completed.stderr
    assert cli.config.read_bytes() == before


def test_without_role_off_terminal_is_a_usage_error(make_cli):
    """No --account-id/--role-name and no terminal: exit 2 with a hint."""
    cli = make_cli()
    completed = cli.run(
        "configure",
        "sso",
        "--profile",
        "dev",
        "--sso-session",
        "corp",
        "--start-url",
        START_URL,
        "--sso-region",
        "us-east-1",
    )
    assert completed.returncode == 2
    assert "--account-id and --role-name are needed" in completed.stderr


def _on_a_terminal(cli, *args, **env):
    """devcreds on a pseudo-terminal, as a person runs it."""
    return pexpect.spawn(
        sys.executable,
        ["-m", "devcreds", *args],
        env={**cli.env, **env},
        encoding="utf-8",
        timeout=60,
    )


@pytest.mark.posix
def test_without_role_on_a_terminal_logs_in_and_offers_a_pick_list(make_cli):
    """On a terminal it logs in, lists the roles, writes the one picked and the region
    taken."""
    cli = make_cli()
    child = _on_a_terminal(
        cli, "configure", "sso", "--profile", "dev", "--sso-session", "corp",
        "--start-url", START_URL, "--sso-region", "us-east-1",
    )  # fmt: skip
    child.expect("Pick a role")
    child.send("\x1b[B\x1b[B\r")  # ↓ ↓ Enter: the third role
    child.expect(r"Default region \S*\(us-east-1\)")
    child.sendline("")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    profile = load_config(str(cli.config))["profiles"]["dev"]
    assert (profile["sso_account_id"], profile["sso_role_name"]) == ("222222222222", "Developer")
    assert profile["region"] == "us-east-1"


@pytest.mark.posix
def test_export_on_a_terminal_logs_in_first(cli):
    """On a terminal, export runs the login itself when it must (the browser flow, the
    default where a browser is found), then prints."""
    child = _on_a_terminal(cli, "export", "--profile", "dev", "--format", "env", **cli.browser())
    child.expect("export AWS_ACCESS_KEY_ID=ASIA")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert cli.emu.stats()["grants"] == {"authorization_code": 1}


@pytest.mark.posix
def test_export_on_a_terminal_without_a_display_logs_in_with_a_code(cli):
    """Where no browser can open (no display, no BROWSER), the login export starts is the
    device flow."""
    child = _on_a_terminal(cli, "export", "--profile", "dev", "--format", "env")
    child.expect("export AWS_ACCESS_KEY_ID=ASIA")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert cli.emu.calls("StartDeviceAuthorization") == 1


def test_a_region_of_the_european_sovereign_cloud_is_accepted(cli):
    """configure sso with eusc-de-east-1 as SSO and profile region writes both."""
    cli.ok(
        "configure", "sso", "--profile", "eu", "--sso-session", "eusc",
        "--start-url", "https://d-0123456789.awsapps.com/start", "--sso-region", "eusc-de-east-1",
        "--account-id", "111111111111", "--role-name", "Developer", "--region", "eusc-de-east-1",
    )  # fmt: skip
    assert "sso_region = eusc-de-east-1" in cli.config.read_text()


def _configure(cli, *extra, start_url="https://d-0123456789.awsapps.com/start", profile="dev"):
    return cli.run(
        "configure", "sso", "--profile", profile, "--sso-session", "corp",
        "--start-url", start_url, "--sso-region", "us-east-1",
        "--account-id", "111111111111", "--role-name", "Developer", *extra,
    )  # fmt: skip


def test_changing_an_existing_session_needs_force(cli):
    """Another start URL for [sso-session corp] is refused off a terminal; --force changes it."""
    before = cli.config.read_bytes()
    completed = _configure(cli, start_url="https://d-9999999999.awsapps.com/start", profile="ops")
    assert completed.returncode == 2
    assert "sso_start_url would change" in completed.stderr
    assert "for profiles dev" in completed.stderr
    assert cli.config.read_bytes() == before
    forced = _configure(
        cli, "--force", start_url="https://d-9999999999.awsapps.com/start", profile="ops"
    )
    assert forced.returncode == 0, forced.stderr
    assert "https://d-9999999999.awsapps.com/start" in cli.config.read_text()


def test_turning_a_role_profile_into_sso_needs_force(cli):
    """A profile that assumes a role is not silently made an SSO profile."""
    cli.config.write_text(
        cli.config.read_text() + "\n[profile deploy]\nrole_arn = arn:aws:iam::222222222222:role/D\n"
        "source_profile = dev\n"
    )
    before = cli.config.read_bytes()
    completed = _configure(cli, profile="deploy")
    assert completed.returncode == 2
    assert "gets its credentials from role_arn, source_profile" in completed.stderr
    assert cli.config.read_bytes() == before


def test_a_quoted_profile_section_is_updated_not_duplicated(make_cli):
    """[profile "dev"] exists: configure sso --profile dev edits it, no second [profile dev]."""
    cli = make_cli()
    cli.config.parent.mkdir(parents=True)
    cli.config.write_text('[profile "dev"]\nregion = eu-west-1\n')
    completed = _configure(cli)
    assert completed.returncode == 0, completed.stderr
    text = cli.config.read_text()
    assert text.count("[profile") == 1
    assert text.startswith('[profile "dev"]\nregion = eu-west-1\nsso_session = corp\n')


def test_login_and_export_work_in_the_european_sovereign_cloud(cli):
    """An sso-session in eusc-de-east-1 is a valid session for login and export."""
    cli.ok(
        "configure", "sso", "--profile", "eu", "--sso-session", "eusc",
        "--start-url", "https://d-0123456789.awsapps.com/start", "--sso-region", "eusc-de-east-1",
        "--account-id", "111111111111", "--role-name", "Developer",
    )  # fmt: skip
    cli.ok("login", "--profile", "eu", "--use-device-code", "--no-browser")
    assert cli.export("eu")["AccessKeyId"]


def test_the_credential_process_line_it_prints_works_without_path(make_cli):
    """configure sso prints a credential_process line with the full command; boto3 gets
    credentials through it with a PATH that has no devcreds on it."""
    import json
    import subprocess

    cli = make_cli()
    args = ["configure", "sso", "--profile", "dev", "--sso-session", "corp"]
    args += ["--start-url", START_URL, "--sso-region", "us-east-1"]
    args += ["--account-id", "111111111111", "--role-name", "Developer"]
    completed = cli.run(*args)
    assert completed.returncode == 0, completed.stderr
    line = next(x.strip() for x in completed.stderr.splitlines() if "credential_process =" in x)
    assert line == f"credential_process = {sys.executable} -m devcreds export --profile dev"
    with cli.config.open("a") as config:
        config.write(f"\n[profile app]\n{line}\n")
    cli.ok("login", "--profile", "dev", "--use-device-code")
    code = (
        "import boto3, json; c = boto3.Session(profile_name='app').get_credentials()"
        ".get_frozen_credentials(); print(json.dumps({'key': c.access_key}))"
    )
    shown = subprocess.run(
        [sys.executable, "-c", code], env={**cli.env, "PATH": "/nonexistent"},
        capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    assert json.loads(shown.stdout)["key"].startswith("ASIA")
