"""Shell completion in real shells: ``devcreds completion SHELL`` sourced into bash, fish
and zsh completes commands, options, the config's profiles and SSO sessions, and formats."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pexpect
import pytest

from tests.support import require_tool

CONFIG = """\
[sso-session corp]
sso_start_url = https://d-1234567890.awsapps.com/start
sso_region = us-east-1

[profile prod-Admin]
sso_session = corp
sso_account_id = 333333333333
sso_role_name = Admin

[profile prod-ReadOnly]
sso_session = corp
sso_account_id = 333333333333
sso_role_name = ReadOnly

[profile dev]
region = eu-west-1
"""


@pytest.fixture
def shell_env(tmp_path) -> dict[str, str]:
    """A HOME with the config above and the venv's devcreds first on PATH."""
    (tmp_path / ".aws").mkdir()
    (tmp_path / ".aws" / "config").write_text(CONFIG)
    bin_dir = Path(sys.executable).parent
    assert (bin_dir / "devcreds").exists(), "the devcreds script of this venv"
    return {
        "HOME": str(tmp_path),
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "AWS_CONFIG_FILE": str(tmp_path / ".aws" / "config"),
        "TERM": "xterm",
        "LANG": "C.UTF-8",
    }


def _bash(env: dict[str, str], *words: str) -> list[str]:
    """What bash's completion function offers for the last of ``words``."""
    script = (
        'eval "$(devcreds completion bash)"; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); '
        '_devcreds_completion devcreds; printf "%s\\n" "${COMPREPLY[@]}"'
    )
    completed = subprocess.run(
        ["bash", "--norc", "-c", script, "bash", "devcreds", *words],
        env=env, capture_output=True, text=True, timeout=30, check=True,
    )  # fmt: skip
    assert completed.stderr == ""
    return [line for line in completed.stdout.splitlines() if line]


@pytest.mark.shells
def test_bash_completes_profile_names_from_the_config(shell_env):
    assert _bash(shell_env, "export", "--profile", "prod-") == ["prod-Admin", "prod-ReadOnly"]
    assert _bash(shell_env, "login", "-p", "d") == ["dev"]


@pytest.mark.shells
def test_bash_completes_commands_options_sessions_and_formats(shell_env):
    assert _bash(shell_env, "con") == ["configure", "console"]
    assert _bash(shell_env, "configure", "pop") == ["populate"]
    assert "--use-device-code" in _bash(shell_env, "login", "--use")
    assert _bash(shell_env, "roles", "--sso-session", "") == ["corp"]
    assert _bash(shell_env, "export", "--format", "env") == ["env", "env-no-export"]


@pytest.mark.shells
def test_a_config_that_cannot_be_parsed_completes_nothing_and_prints_nothing(shell_env):
    Path(shell_env["AWS_CONFIG_FILE"]).write_text("[profile broken\nx = 1\n")
    assert _bash(shell_env, "export", "--profile", "") == []


@pytest.mark.shells
def test_fish_completes_profiles_with_what_they_are(shell_env):
    fish = require_tool(shutil.which("fish"), "fish")
    completed = subprocess.run(
        [fish, "--no-config", "-c",
         'devcreds completion fish | source; complete -C "devcreds export --profile prod-"'],
        env=shell_env, capture_output=True, text=True, timeout=30, check=True,
    )  # fmt: skip
    assert completed.stdout.splitlines() == [
        "prod-Admin\t333333333333 Admin",
        "prod-ReadOnly\t333333333333 ReadOnly",
    ]


@pytest.mark.shells
def test_zsh_completes_profiles_at_a_real_prompt(shell_env, tmp_path):
    zsh = require_tool(shutil.which("zsh"), "zsh")
    child = pexpect.spawn(
        zsh, ["-f", "-i"], env={**shell_env, "PS1": "READY> "}, encoding="utf-8", timeout=20
    )
    try:
        child.sendline(
            f"autoload -Uz compinit && compinit -u -d {tmp_path}/zcompdump; "
            'eval "$(devcreds completion zsh)"'
        )
        child.expect("READY> ")
        child.expect("READY> ")
        child.send("devcreds export --profile prod-R\t")
        child.expect("prod-ReadOnly")
    finally:
        child.sendcontrol("c")
        child.close(force=True)


def test_the_powershell_script_registers_a_completer(shell_env):
    """No PowerShell on Debian: the script is checked for what makes it one, and that it
    calls devcreds with the completion variable."""
    script = subprocess.run(
        ["devcreds", "completion", "powershell"],
        env=shell_env, capture_output=True, text=True, timeout=30, check=True,
    ).stdout  # fmt: skip
    assert "Register-ArgumentCompleter -Native -CommandName devcreds" in script
    assert '$Env:_DEVCREDS_COMPLETE = "complete_powershell"' in script


def test_completing_loads_no_aws_sdk(shell_env):
    """botocore is most of a slow start; a Tab press must not pay for it."""
    completed = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "devcreds"],
        env={
            **shell_env,
            "_DEVCREDS_COMPLETE": "complete_bash",
            "COMP_WORDS": "devcreds export --profile prod-",
            "COMP_CWORD": "3",
        },
        capture_output=True, text=True, timeout=30, check=True,
    )  # fmt: skip
    assert completed.stdout.split() == ["prod-Admin", "prod-ReadOnly"]
    assert "botocore" not in completed.stderr
