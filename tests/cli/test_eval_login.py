"""``eval "$(devcreds export …)"`` at a terminal logs in on stderr (stdout is the pipe
eval reads); a credential_process run by an SDK from the same terminal never does."""

from __future__ import annotations

import sys

import pexpect
import pytest

pytestmark = pytest.mark.posix


def test_eval_export_at_a_terminal_logs_in_and_sets_the_variables(cli):
    script = (
        f'eval "$({sys.executable} -m devcreds export --profile dev --format env)"; '
        'echo "got:${AWS_ACCESS_KEY_ID:0:4}"'
    )
    child = pexpect.spawn(
        "bash", ["--norc", "-c", script], env=cli.env, encoding="utf-8", timeout=60
    )
    child.expect("device code")  # the login speaks on the terminal (stderr)
    child.expect("got:ASIA")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert cli.emu.calls("CreateToken") == 1


def test_a_credential_process_from_a_terminal_never_logs_in(cli):
    """boto3 at a terminal (its stdin a tty) runs devcreds with stderr piped: refused (exit 3
    inside), no device authorization started."""
    with cli.config.open("a") as config:
        config.write(
            f"\n[profile proc]\ncredential_process = {sys.executable} -m devcreds export --profile dev\n"
        )
    code = (
        "import boto3\n"
        "try:\n"
        "    boto3.Session(profile_name='proc').get_credentials().get_frozen_credentials()\n"
        "except Exception as exc:\n"
        "    print('refused:', type(exc).__name__)\n"
    )
    child = pexpect.spawn(sys.executable, ["-c", code], env=cli.env, encoding="utf-8", timeout=60)
    child.expect("refused: CredentialRetrievalError")
    child.expect(pexpect.EOF)
    child.close()
    assert cli.emu.calls("StartDeviceAuthorization") == 0
