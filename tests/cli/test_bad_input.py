"""Bad config and bad caches: one error line, a hint, the documented exit code, files untouched."""

from __future__ import annotations

import hashlib
import json

import pytest


def _check_error(completed, code, message, hint):
    assert completed.returncode == code
    lines = completed.stderr.splitlines()
    assert lines[0].startswith("error: ")
    assert message in lines[0]
    assert lines[1].startswith("hint: ")
    assert hint in lines[1]
    assert "Traceback" not in completed.stderr


def test_unknown_profile(cli):
    """An unknown profile: exit 2, the hint names configure sso."""
    _check_error(
        cli.run("export", "--profile", "nope"),
        2,
        "profile nope is not in",
        "devcreds configure sso --profile nope",
    )


def test_profile_without_role(cli):
    """A profile lacking sso_role_name: exit 2, the hint offers the role list."""
    with cli.config.open("a") as config:
        config.write("\n[profile half]\nsso_session = corp\nsso_account_id = 111111111111\n")
    _check_error(cli.run("export", "--profile", "half"), 2, "lacks sso_role_name", "configure sso")


def test_inconsistent_session_values(cli):
    """A profile whose sso_region disagrees with its session: exit 2."""
    with cli.config.open("a") as config:
        config.write(
            "\n[profile clash]\nsso_session = corp\nsso_region = eu-west-1\n"
            "sso_account_id = 111111111111\nsso_role_name = Developer\n"
        )
    _check_error(cli.run("export", "--profile", "clash"), 2, "disagree on sso_region", "remove")


def test_unparsable_config_file(cli):
    """A config file botocore cannot parse: exit 2, message names the file."""
    cli.config.write_text("[default]\nregion = a\nregion = b\n")
    _check_error(cli.run("export", "--profile", "dev"), 2, str(cli.config), "fix the file")


def test_config_file_that_is_a_folder(cli):
    """AWS_CONFIG_FILE naming a folder: exit 6."""
    completed = cli.run("export", "--profile", "dev", AWS_CONFIG_FILE=str(cli.home))
    _check_error(completed, 6, "cannot read AWS config file", "permissions")


@pytest.mark.parametrize("content", ["{", "[]", '{"accessToken": 1}', "\x00\x01"])
def test_corrupt_token_file_counts_as_absent(cli, content):
    """A corrupt token cache means "not logged in" (exit 3), and the file is left as it was."""
    cli.sso_cache.mkdir(parents=True)
    path = cli.sso_cache / f"{hashlib.sha1(b'corp').hexdigest()}.json"
    path.write_text(content)
    _check_error(cli.run("export", "--profile", "dev"), 3, "not logged in", "devcreds login")
    assert path.read_text() == content


@pytest.mark.parametrize("content", ["{", '{"ProviderType": "sso", "Credentials": "x"}'])
def test_corrupt_role_cache_is_replaced(logged_in, content):
    """A corrupt role cache is ignored and replaced by freshly fetched credentials."""
    logged_in.export()
    path = logged_in.only_file(logged_in.cli_cache)
    path.write_text(content)
    creds = logged_in.export()
    assert json.loads(path.read_text())["Credentials"]["AccessKeyId"] == creds["AccessKeyId"]


def test_role_not_assigned(cli):
    """A role the user does not have: exit 4, the hint lists roles."""
    cli.configure(profile="admin", role="Admin")
    cli.ok("login", "--profile", "admin", "--use-device-code")
    _check_error(
        cli.run("export", "--profile", "admin"), 4, "no access to role Admin", "devcreds roles"
    )


def test_debug_trace_holds_no_secret(logged_in):
    """--debug logs what happens, but never a token, a key or a client secret."""
    logged_in.export()
    token_path = next(
        p for p in logged_in.sso_cache.glob("*.json") if "accessToken" in p.read_text()
    )
    for path in logged_in.cli_cache.glob("*.json"):
        path.unlink()
    data = json.loads(token_path.read_text())
    data["expiresAt"] = "2000-01-01T00:00:00Z"
    token_path.write_text(json.dumps(data))
    completed = logged_in.run("--debug", "export", "--profile", "dev")
    assert completed.returncode == 0, completed.stderr
    assert "debug:" in completed.stderr
    renewed = json.loads(token_path.read_text())
    creds = json.loads(completed.stdout)
    secrets = [
        data["accessToken"],
        data["refreshToken"],
        data["clientSecret"],
        renewed["accessToken"],
        renewed["refreshToken"],
        creds["SecretAccessKey"],
        creds["SessionToken"],
    ]
    assert [s for s in secrets if s in completed.stderr] == []


def test_token_path_that_is_a_folder_counts_as_absent(cli):
    """An unreadable token cache (here a folder) means "not logged in", not a crash."""
    (cli.sso_cache / f"{hashlib.sha1(b'corp').hexdigest()}.json").mkdir(parents=True)
    _check_error(cli.run("export", "--profile", "dev"), 3, "not logged in", "devcreds login")


@pytest.mark.parametrize(
    "content", ["[dev\nx = 1\n", "\ufeff[dev]\na = 1\n", "junk\n[dev]\na = 1\n"]
)
@pytest.mark.parametrize("command", [("export", "--profile", "dev"), ("roles",), ("logout",)])
def test_an_unparsable_credentials_file_is_exit_2_naming_it(logged_in, content, command):
    """A broken ~/.aws/credentials: exit 2 naming the file, as botocore rejects it too."""
    path = logged_in.home / ".aws" / "credentials"
    path.write_text(content)
    completed = logged_in.run(*command)
    assert completed.returncode == 2, completed.stderr
    assert str(path) in completed.stderr
    assert "Traceback" not in completed.stderr
