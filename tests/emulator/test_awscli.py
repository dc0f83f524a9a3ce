"""Debian's AWS CLI v2 as an independent client of the emulator (``--endpoint-url``)."""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from tests.support import (
    DEVICE_GRANT,
    START_URL,
    approve,
    device_login,
    find_aws_cli_v2,
    require_tool,
)

pytestmark = pytest.mark.awscli


@pytest.fixture(scope="module")
def aws_path():
    return require_tool(find_aws_cli_v2(), "the AWS CLI v2 (Debian package awscli)")


@pytest.fixture
def aws(aws_path, emu):
    def run(*args, env=None, check=True):
        command = [
            aws_path,
            *args,
            "--endpoint-url",
            emu.url,
            "--region",
            "us-east-1",
            "--output",
            "json",
        ]
        completed = subprocess.run(
            command,
            capture_output=True,
            text=True,
            timeout=60,
            env={**os.environ, **(env or {})},
            check=False,
        )
        if check:
            assert completed.returncode == 0, completed.stderr
            return json.loads(completed.stdout) if completed.stdout.strip() else None
        return completed

    return run


def test_register_client(aws):
    """aws sso-oidc register-client parses our epoch-second expiry."""
    client = aws("sso-oidc", "register-client", "--client-name", "cli", "--client-type", "public")
    assert isinstance(client["clientSecretExpiresAt"], int)
    assert client["clientId"]


def _device_flow(aws):
    """register-client and start-device-authorization; returns a create-token runner."""
    client = aws(
        "sso-oidc", "register-client", "--client-name", "cli", "--client-type", "public",
        "--scopes", "sso:account:access",
    )  # fmt: skip
    secret = ("--client-id", client["clientId"], "--client-secret", client["clientSecret"])
    device = aws("sso-oidc", "start-device-authorization", *secret, "--start-url", START_URL)

    def create_token(check=True):
        return aws(
            "sso-oidc", "create-token", *secret, "--grant-type", DEVICE_GRANT,
            "--device-code", device["deviceCode"], check=check,
        )  # fmt: skip

    return device, create_token


def test_device_flow_pending(aws):
    """Before approval the CLI's create-token fails with AuthorizationPendingException."""
    _, create_token = _device_flow(aws)
    pending = create_token(check=False)
    assert pending.returncode == 254
    assert "AuthorizationPendingException" in pending.stderr


def test_device_flow_approved(aws, emu):
    """After approval, the CLI's create-token returns a token with a refresh token."""
    device, create_token = _device_flow(aws)
    approve(emu.url, device["userCode"])
    token = create_token()
    assert token["expiresIn"] == 3600
    assert token["refreshToken"]


def test_list_accounts_paginates(aws, emu):
    """aws sso list-accounts follows next tokens to the end by itself."""
    token = device_login(emu)["accessToken"]
    listed = aws("sso", "list-accounts", "--access-token", token, "--page-size", "1")
    assert [a["accountId"] for a in listed["accountList"]] == [
        "111111111111",
        "222222222222",
        "333333333333",
    ]


def test_list_account_roles(aws, emu):
    """aws sso list-account-roles lists the directory's roles."""
    token = device_login(emu)["accessToken"]
    listed = aws(
        "sso", "list-account-roles", "--access-token", token, "--account-id", "222222222222"
    )
    assert [r["roleName"] for r in listed["roleList"]] == ["Developer", "ReadOnly"]


def test_get_role_credentials_and_caller_identity(aws, emu):
    """Credentials from aws sso get-role-credentials sign an aws sts get-caller-identity."""
    token = device_login(emu)["accessToken"]
    creds = aws(
        "sso",
        "get-role-credentials",
        "--access-token",
        token,
        "--account-id",
        "333333333333",
        "--role-name",
        "ReadOnly",
    )["roleCredentials"]
    assert creds["expiration"] == int((emu.clock.now + 3600) * 1000)
    identity = aws(
        "sts",
        "get-caller-identity",
        env={
            "AWS_ACCESS_KEY_ID": creds["accessKeyId"],
            "AWS_SECRET_ACCESS_KEY": creds["secretAccessKey"],
            "AWS_SESSION_TOKEN": creds["sessionToken"],
        },
    )
    assert identity["Account"] == "333333333333"


def test_unauthorized_token(aws):
    """A bad token makes the CLI report UnauthorizedException."""
    failed = aws("sso", "list-accounts", "--access-token", "aoa-bad", check=False)
    assert failed.returncode == 254
    assert "UnauthorizedException" in failed.stderr
