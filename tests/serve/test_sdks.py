"""Real AWS clients take their credentials from devcreds serve and call STS on the emulator."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.serve.conftest import start_serve
from tests.support import find_aws_cli_v2, find_current_aws_cli, require_tool

JS = Path(__file__).parents[1] / "js"
BOTO3_CALLER = """
import json, boto3
sts = boto3.client("sts", region_name="us-east-1", endpoint_url="{endpoint}")
identity = sts.get_caller_identity()
key = sts._request_signer._credentials.get_frozen_credentials().access_key
print(json.dumps({{"Arn": identity["Arn"], "AccessKeyId": key}}))
"""
BOTO3_LOOP = """
import json, sys, time, boto3
sts = boto3.client("sts", region_name="us-east-1", endpoint_url="{endpoint}")
keys, failures, end = [], 0, time.monotonic() + {seconds}
while time.monotonic() < end:
    try:
        sts.get_caller_identity()
        keys.append(sts._request_signer._credentials.get_frozen_credentials().access_key)
    except Exception as exc:
        failures += 1
        print(repr(exc), file=sys.stderr)
    time.sleep(0.2)
print(json.dumps({{"keys": sorted(set(keys)), "calls": len(keys), "failures": failures}}))
"""


def _run(env, *command):
    completed = subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout)


def _served_key(serving):
    return serving.get()[1]["AccessKeyId"]


def test_boto3_with_the_token_file(serving):
    """boto3's container provider: FULL_URI and AUTHORIZATION_TOKEN_FILE."""
    code = BOTO3_CALLER.format(endpoint=serving.cli.emu.url)
    seen = _run(serving.sdk_env(), sys.executable, "-c", code)
    assert seen["AccessKeyId"] == _served_key(serving)
    assert seen["Arn"].startswith(
        "arn:aws:sts::111111111111:assumed-role/AWSReservedSSO_Developer_"
    )


def test_boto3_with_the_token_inline(serving):
    """AWS_CONTAINER_AUTHORIZATION_TOKEN instead of the file."""
    env = serving.sdk_env(AWS_CONTAINER_AUTHORIZATION_TOKEN=serving.token)
    del env["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"]
    code = BOTO3_CALLER.format(endpoint=serving.cli.emu.url)
    assert _run(env, sys.executable, "-c", code)["AccessKeyId"] == _served_key(serving)


@pytest.mark.awscli
def test_aws_cli_v2(serving):
    """The AWS CLI v2 (Debian's) calls STS with serve's credentials (the token inline: 2.9
    predates the token-file variable)."""
    aws = require_tool(find_aws_cli_v2(), "the AWS CLI v2")
    env = serving.sdk_env(AWS_CONTAINER_AUTHORIZATION_TOKEN=serving.token)
    del env["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"]
    identity = _run(
        env,
        aws,
        "sts",
        "get-caller-identity",
        "--endpoint-url",
        serving.cli.emu.url,
        "--output",
        "json",
    )
    assert identity["Account"] == "111111111111"


@pytest.mark.awscli
def test_current_aws_cli_v2_with_the_token_file(serving):
    """The current AWS CLI v2 (2.36) reads the token file and calls STS through serve."""
    aws = require_tool(find_current_aws_cli(), "the current AWS CLI v2 (.awscli-v2, see .ci/run)")
    env = serving.sdk_env(AWS_ENDPOINT_URL=serving.cli.emu.url)
    identity = _run(env, aws, "sts", "get-caller-identity", "--output", "json")
    assert identity["Account"] == "111111111111"
    assert identity["Arn"].startswith("arn:aws:sts::111111111111:assumed-role/")


def test_aws_sdk_for_javascript_v3(serving):
    """@aws-sdk/client-sts with its default chain (fromHttp): the token file, STS answers."""
    node = require_tool(shutil.which("node"), "Node.js")
    require_tool(
        str(JS / "node_modules") if (JS / "node_modules" / "@aws-sdk").exists() else None,
        "the AWS SDK for JavaScript v3 (npm ci --prefix tests/js)",
    )
    env = serving.sdk_env(STS_ENDPOINT=serving.cli.emu.url)
    seen = _run(env, node, str(JS / "caller.mjs"))
    assert seen["AccessKeyId"] == _served_key(serving)
    assert "111111111111" in seen["Arn"]


def test_serve_renews_ahead_while_a_client_keeps_calling(make_cli):
    """Credentials living 20 s: boto3 calls for 25 s, every call succeeds, with new keys."""
    cli = make_cli(credentials_ttl=20)
    cli.configure()
    cli.ok("login", "--profile", "dev", "--use-device-code", "--no-browser")
    serving = start_serve(cli)
    try:
        code = BOTO3_LOOP.format(endpoint=cli.emu.url, seconds=25)
        seen = _run(serving.sdk_env(), sys.executable, "-c", code)
    finally:
        serving.stop()
    assert seen["failures"] == 0
    assert seen["calls"] > 20
    assert len(seen["keys"]) >= 2
