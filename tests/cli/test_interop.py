"""One login shared with boto3 and the AWS CLI v2, in both directions, through their own files."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import subprocess
import sys

import pytest

from tests.support import device_login, find_aws_cli_v2, require_tool

BOTO3_CREDENTIALS = """
import json, boto3
creds = boto3.session.Session(profile_name="{profile}").get_credentials().get_frozen_credentials()
print(json.dumps({{"AccessKeyId": creds.access_key, "SessionToken": creds.token}}))
"""


def _json_from(cli, *command):
    """Run another tool in the CLI's environment; its stdout parsed as JSON."""
    completed = subprocess.run(
        command, env=cli.env, capture_output=True, text=True, timeout=60, check=False
    )
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout)


def _boto3(cli, profile="dev"):
    """boto3 in its own process (botocore fixes its cache folders from HOME at import)."""
    return _json_from(cli, sys.executable, "-c", BOTO3_CREDENTIALS.format(profile=profile))


def _add_process_profile(cli):
    """[profile proc] whose credential_process is devcreds export for profile dev."""
    command = f"{sys.executable} -m devcreds export --profile dev"
    with cli.config.open("a") as config:
        config.write(f"\n[profile proc]\ncredential_process = {command}\n")


def _token_file(cli):
    return next(p for p in cli.sso_cache.glob("*.json") if "accessToken" in p.read_text())


def test_boto3_uses_the_devcreds_login(logged_in):
    """After devcreds login, boto3's SSO provider gets credentials with no new token call."""
    creds = _boto3(logged_in)
    assert creds["AccessKeyId"].startswith("ASIA")
    assert logged_in.emu.calls("CreateToken") == 1
    assert logged_in.emu.calls("GetRoleCredentials") == 1


def test_devcreds_uses_the_token_botocore_refreshed(logged_in):
    """botocore refreshes a token close to expiry into the shared file; devcreds then uses it."""
    path = _token_file(logged_in)
    data = json.loads(path.read_text())
    data["expiresAt"] = (dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5)).strftime(
        "%Y-%m-%dT%H:%M:%SZ"
    )
    path.write_text(json.dumps(data))
    _boto3(logged_in)
    refreshed = json.loads(path.read_text())
    assert refreshed["accessToken"] != data["accessToken"]
    assert logged_in.emu.stats()["grants"] == {"device_code": 1, "refresh_token": 1}
    logged_in.export()
    assert logged_in.emu.stats()["grants"] == {"device_code": 1, "refresh_token": 1}


def test_token_file_in_the_aws_cli_format_is_used(cli):
    """A token file shaped as the AWS CLI writes it (old UTC suffix) serves devcreds."""
    token = device_login(cli.emu)
    cli.sso_cache.mkdir(parents=True)
    expires = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SUTC")
    content = (
        '{"startUrl": "https://d-0123456789.awsapps.com/start", "region": "us-east-1", '
        f'"accessToken": "{token["accessToken"]}", "expiresAt": "{expires}"}}'
    )
    (cli.sso_cache / f"{hashlib.sha1(b'corp').hexdigest()}.json").write_text(content)
    assert cli.export()["AccessKeyId"].startswith("ASIA")


def test_credential_process_profile_works_in_boto3(logged_in):
    """A profile with credential_process = devcreds export serves boto3."""
    _add_process_profile(logged_in)
    expected = logged_in.export()
    assert _boto3(logged_in, "proc")["AccessKeyId"] == expected["AccessKeyId"]


@pytest.fixture
def aws():
    return require_tool(find_aws_cli_v2(), "the AWS CLI v2 (Debian package awscli)")


@pytest.mark.awscli
def test_aws_cli_reads_the_shared_role_cache(logged_in, aws):
    """aws configure export-credentials returns what devcreds export returns."""
    ours = logged_in.export()
    theirs = _json_from(
        logged_in, aws, "configure", "export-credentials", "--profile", "dev", "--format", "process"
    )
    assert (theirs["AccessKeyId"], theirs["SessionToken"]) == (
        ours["AccessKeyId"],
        ours["SessionToken"],
    )


@pytest.mark.awscli
def test_aws_cli_runs_devcreds_as_credential_process(logged_in, aws):
    """The AWS CLI v2 signs an STS call with credentials from devcreds' credential_process."""
    _add_process_profile(logged_in)
    identity = _json_from(
        logged_in, aws, "sts", "get-caller-identity", "--profile", "proc", "--region", "us-east-1",
        "--endpoint-url", logged_in.emu.url, "--output", "json",
    )  # fmt: skip
    assert identity["Account"] == "111111111111"


def test_config_file_variables_expand_as_botocore_expands_them(logged_in):
    """AWS_CONFIG_FILE=$AWS_HOME_TEST/config: devcreds (full CLI and fast path) and boto3
    read the same file."""
    moved = logged_in.home / "elsewhere"
    moved.mkdir()
    logged_in.config.rename(moved / "config")
    logged_in.env = {
        **logged_in.env,
        "AWS_HOME_TEST": str(moved),
        "AWS_CONFIG_FILE": "$AWS_HOME_TEST/config",
        "AWS_SHARED_CREDENTIALS_FILE": "${AWS_HOME_TEST}/credentials",
    }
    first = logged_in.export()  # the full CLI fetches
    again = logged_in.export()  # the fast path answers
    assert first["AccessKeyId"] == again["AccessKeyId"]
    assert logged_in.emu.calls("GetRoleCredentials") == 1
    assert _boto3(logged_in)["AccessKeyId"].startswith("ASIA")  # boto3 keeps its own cache
    logged_in.ok("write", "credentials", "--profile", "dev", "--as", "moved")
    assert "[moved]" in (moved / "credentials").read_text()
