"""The browser login shared with the current AWS CLI v2 (2.36, from .awscli-v2) both ways:
one registration and one token, whichever tool logged in last."""

from __future__ import annotations

import json
import subprocess

import pytest

from tests.support import find_current_aws_cli, require_tool

pytestmark = pytest.mark.awscli


@pytest.fixture
def aws():
    return require_tool(find_current_aws_cli(), "the current AWS CLI v2 (.awscli-v2, see .ci/run)")


def _aws(cli, aws, *args, **env):
    completed = subprocess.run(
        [aws, *args],
        env={**cli.env, **cli.browser(), "AWS_REGION": "us-east-1", **env},
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    return completed.stdout


def test_aws_sso_login_then_devcreds_export(cli, aws):
    """aws sso login (its browser flow) writes what devcreds export uses: no new login."""
    _aws(cli, aws, "sso", "login", "--profile", "dev")
    assert cli.emu.stats()["grants"] == {"authorization_code": 1}
    assert cli.export()["AccountId"] == "111111111111"
    assert cli.emu.calls("CreateToken") == 1
    assert cli.emu.calls("RegisterClient") == 1


def test_devcreds_login_then_aws_sts(cli, aws):
    """devcreds login (browser) writes what the AWS CLI uses for STS: no new login."""
    cli.ok("login", "--profile", "dev", **cli.browser())
    identity = json.loads(
        _aws(cli, aws, "sts", "get-caller-identity", "--profile", "dev", "--output", "json")
    )
    assert identity["Account"] == "111111111111"
    assert cli.emu.calls("CreateToken") == 1
    assert cli.emu.calls("StartDeviceAuthorization") == 0


def test_alternating_logins_register_one_client(cli, aws):
    """devcreds login and aws sso login, three times each in turn: one RegisterClient in
    all, the AWS CLI reusing the registration devcreds wrote (no ping-pong)."""
    for _ in range(3):
        cli.ok("login", "--profile", "dev", **cli.browser())
        _aws(cli, aws, "sso", "login", "--profile", "dev")
    assert cli.emu.calls("RegisterClient") == 1
    assert cli.emu.stats()["grants"] == {"authorization_code": 6}
    assert cli.export()["AccountId"] == "111111111111"
