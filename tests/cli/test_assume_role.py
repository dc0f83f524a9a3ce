"""Assume-role profiles (role_arn + source_profile) on top of an SSO profile."""

from __future__ import annotations

import json
import subprocess
import time

import pytest

from tests.cli.test_fastpath import _imported
from tests.support import find_aws_cli_v2, require_tool

ROLES = """
[profile deploy]
role_arn = arn:aws:iam::222222222222:role/Deploy
source_profile = dev
role_session_name = alice

[profile admin]
role_arn = arn:aws:iam::333333333333:role/Admin
source_profile = deploy
duration_seconds = 1800
external_id = ext-1

[profile loop1]
role_arn = arn:aws:iam::222222222222:role/A
source_profile = loop2

[profile loop2]
role_arn = arn:aws:iam::222222222222:role/B
source_profile = loop1

[profile nosource]
role_arn = arn:aws:iam::222222222222:role/A

[profile instance]
role_arn = arn:aws:iam::222222222222:role/A
credential_source = Ec2InstanceMetadata

[profile denied]
role_arn = arn:aws:iam::999999999999:role/A
source_profile = dev
"""


@pytest.fixture
def roles(logged_in):
    with logged_in.config.open("a") as config:
        config.write(ROLES)
    return logged_in


def _identity(cli, creds):
    """Who STS (the emulator) says these credentials are."""
    sts = cli.emu.sts_as(
        {
            "accessKeyId": creds["AccessKeyId"],
            "secretAccessKey": creds["SecretAccessKey"],
            "sessionToken": creds["SessionToken"],
        }
    )
    return sts.get_caller_identity()["Arn"]


def test_sso_source_then_assume_role(roles):
    """deploy = the SSO role of dev, then AssumeRole into 222222222222 as alice."""
    creds = roles.export("deploy")
    assert _identity(roles, creds) == "arn:aws:sts::222222222222:assumed-role/Deploy/alice"
    assert roles.emu.calls("AssumeRole") == 1


def test_assumed_role_is_cached_in_the_aws_cli_format(roles):
    """The role lands in ~/.aws/cli/cache under botocore's key, and is reused."""
    first = roles.export("deploy")
    key = (
        __import__("hashlib")
        .sha1(
            json.dumps(
                {"RoleArn": "arn:aws:iam::222222222222:role/Deploy", "RoleSessionName": "alice"},
                sort_keys=True,
            ).encode()
        )
        .hexdigest()
    )
    cached = json.loads((roles.cli_cache / f"{key}.json").read_text())
    assert cached["Credentials"]["AccessKeyId"] == first["AccessKeyId"]
    assert cached["Credentials"]["Expiration"].endswith("UTC")
    assert roles.export("deploy") == first
    assert roles.emu.calls("AssumeRole") == 1


def test_two_hops(roles):
    """admin = dev's SSO role, then deploy, then admin, with its external id and duration."""
    creds = roles.export("admin")
    assert _identity(roles, creds).startswith("arn:aws:sts::333333333333:assumed-role/Admin/")
    assert roles.emu.calls("AssumeRole") == 2
    issued = roles.emu.emulator.state.credentials[creds["AccessKeyId"]]
    assert issued.external_id == "ext-1"
    assert abs(issued.expires_at - time.time() - 1800) < 60


def test_fast_and_full_path_agree_for_a_role_profile(roles):
    """The cached assumed role prints the same through the fast path and the full CLI."""
    roles.export("deploy")
    fast, modules = _imported(roles, "export", "--profile", "deploy", "--format", "env")
    assert "devcreds.awsconfig" not in modules  # it really was the fast path
    full = roles.ok("export", "--profile", "deploy", "--format", "env", DEVCREDS_FAST_PATH="0")
    assert fast == full


@pytest.mark.parametrize(
    ("profile", "message"),
    [
        ("loop1", "source_profile loop: loop1 -> loop2 -> loop1"),
        ("nosource", "has role_arn but no source_profile"),
        ("instance", "uses credential_source, which devcreds does not support"),
    ],
)
def test_unusable_chains_are_config_errors(roles, profile, message):
    """Loops and unsupported sources: exit 2, one line, a hint; never a recursion crash."""
    completed = roles.run("export", "--profile", profile)
    assert completed.returncode == 2
    assert message in completed.stderr
    assert "hint:" in completed.stderr
    assert "Traceback" not in completed.stderr


def test_refused_assume_role_is_exit_4(roles):
    """A role STS refuses: exit 4 with a hint about the trust policy."""
    completed = roles.run("export", "--profile", "denied")
    assert completed.returncode == 4
    assert "AccessDenied" in completed.stderr
    assert "trust policy" in completed.stderr


def test_exec_with_a_role_profile(roles):
    """exec gives the command the assumed role's credentials."""
    code = "import os; print(os.environ['AWS_ACCESS_KEY_ID'])"
    out = roles.ok("exec", "--profile", "deploy", "--", __import__("sys").executable, "-c", code)
    assert out.strip() == roles.export("deploy")["AccessKeyId"]


@pytest.mark.awscli
def test_aws_cli_reads_the_cached_assumed_role(roles):
    """Debian's AWS CLI v2 finds devcreds' assumed-role cache entry (no STS call of its own)."""
    aws = require_tool(find_aws_cli_v2(), "the AWS CLI v2 (Debian package awscli)")
    ours = roles.export("deploy")
    completed = subprocess.run(
        [aws, "configure", "export-credentials", "--profile", "deploy", "--format", "process"],
        env=roles.env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stderr
    assert json.loads(completed.stdout)["AccessKeyId"] == ours["AccessKeyId"]


def test_write_with_a_role_profile(roles, tmp_path):
    """write dotenv delivers the assumed role's credentials."""
    path = tmp_path / ".env"
    roles.ok("write", "dotenv", str(path), "--profile", "deploy")
    assert (
        f"AWS_ACCESS_KEY_ID={roles.export('deploy')['AccessKeyId']}"
        in path.read_text().splitlines()
    )


def test_logout_removes_the_roles_assumed_from_the_session(roles):
    """After logout no cached assumed role of that session is left to serve."""
    roles.export("deploy")
    roles.ok("logout", "--profile", "dev")
    assert list(roles.cli_cache.glob("*.json")) == []
    assert roles.run("export", "--profile", "deploy").returncode == 3


def test_a_malformed_role_arn_is_a_usage_error_naming_the_profile(roles):
    """role_arn that STS's parameter check rejects: exit 2 naming [profile …] and role_arn."""
    with roles.config.open("a") as config:
        config.write("\n[profile typo]\nrole_arn = Deploy\nsource_profile = dev\n")
    completed = roles.run("export", "--profile", "typo")
    assert completed.returncode == 2, completed.stderr
    assert "role_arn" in completed.stderr
    assert "[profile typo]" in completed.stderr
    assert "Traceback" not in completed.stderr


def test_a_non_ascii_digit_duration_is_a_usage_error(roles):
    """duration_seconds = ² (a digit to str.isdigit, not to int): exit 2, no traceback."""
    with roles.config.open("a") as config:
        config.write(
            "\n[profile odd]\nrole_arn = arn:aws:iam::222222222222:role/Deploy\n"
            "source_profile = dev\nduration_seconds = \u00b2\n"
        )
    completed = roles.run("export", "--profile", "odd")
    assert completed.returncode == 2, completed.stderr
    assert "duration_seconds must be 900 to 43200" in completed.stderr


def test_login_with_a_role_profile_logs_in_its_sso_source(roles):
    """login --profile deploy logs in to the session of deploy's SSO source profile."""
    completed = roles.run("login", "--profile", "deploy", "--use-device-code", "--no-browser")
    assert completed.returncode == 0, completed.stderr
    assert "Logged in to" in completed.stderr


def test_a_static_key_profile_gets_a_hint_that_does_not_touch_it(roles):
    """A profile with keys is not an SSO profile: the hint never offers to configure SSO into it."""
    with roles.config.open("a") as config:
        config.write("\n[profile static]\naws_access_key_id = AKIAEXAMPLE\n")
    completed = roles.run("login", "--profile", "static", "--use-device-code", "--no-browser")
    assert completed.returncode == 2
    assert "gets its credentials from aws_access_key_id" in completed.stderr
    assert "configure sso --profile static" not in completed.stderr
