"""Shell completion in real shells: ``devcreds completion SHELL`` sourced into bash, fish
and zsh completes commands, options, the config's profiles and SSO sessions, and formats.

PowerShell itself is not available here (Debian packages none, and no PyPI or npm package
ships it), so its script is checked as text, and the protocol it speaks is checked against
devcreds: the variables it sets, the words quoted as it quotes them, its "value:::help" lines.
"""

from __future__ import annotations

import os
import re
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
def shell_env(tmp_path: Path) -> dict[str, str]:
    """A HOME with the config above and the venv's devcreds first on PATH."""
    (tmp_path / ".aws").mkdir()
    (tmp_path / ".aws" / "config").write_text(CONFIG)
    bin_dir = Path(sys.executable).parent
    assert shutil.which("devcreds", path=str(bin_dir)), "the devcreds script of this venv"
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
def test_bash_completes_profile_names_from_the_config(shell_env: dict[str, str]) -> None:
    """bash completes --profile and -p with the config's profile names."""
    assert _bash(shell_env, "export", "--profile", "prod-") == ["prod-Admin", "prod-ReadOnly"]
    assert _bash(shell_env, "login", "-p", "d") == ["dev"]


@pytest.mark.shells
def test_bash_completes_commands_options_sessions_and_formats(shell_env: dict[str, str]) -> None:
    """bash completes commands, subcommands, options, SSO sessions and export formats."""
    assert _bash(shell_env, "con") == ["configure", "console"]
    assert _bash(shell_env, "configure", "pop") == ["populate"]
    assert "--use-device-code" in _bash(shell_env, "login", "--use")
    assert _bash(shell_env, "roles", "--sso-session", "") == ["corp"]
    assert _bash(shell_env, "export", "--format", "env") == ["env", "env-no-export"]


@pytest.mark.shells
def test_a_config_that_cannot_be_parsed_completes_nothing_and_prints_nothing(
    shell_env: dict[str, str],
) -> None:
    """A broken config file completes no profile and puts no error on the command line."""
    Path(shell_env["AWS_CONFIG_FILE"]).write_text("[profile broken\nx = 1\n")
    assert _bash(shell_env, "export", "--profile", "") == []


@pytest.mark.shells
def test_fish_completes_profiles_with_what_they_are(shell_env: dict[str, str]) -> None:
    """fish shows each profile with its account and role."""
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
def test_zsh_completes_profiles_at_a_real_prompt(shell_env: dict[str, str], tmp_path: Path) -> None:
    """zsh completes a profile name at an interactive prompt, Tab pressed."""
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


@pytest.fixture
def powershell_script(shell_env: dict[str, str]) -> str:
    """What ``devcreds completion powershell`` prints."""
    return subprocess.run(
        ["devcreds", "completion", "powershell"],
        env=shell_env, capture_output=True, text=True, timeout=30, check=True,
    ).stdout  # fmt: skip


PROTOCOL_VARIABLES = (
    "_DEVCREDS_COMPLETE",
    "_TYPER_COMPLETE_ARGS",
    "_TYPER_COMPLETE_WORD_TO_COMPLETE",
)


def _posix_quoted(word: str) -> str:
    """A word as the PowerShell script passes it: single-quoted, ' as '\\''."""
    return "'" + word.replace("'", "'\\''") + "'"


def _powershell(script: str, env: dict[str, str], *words: str) -> list[tuple[str, str]]:
    """What devcreds answers the PowerShell script for the last of ``words`` (the word at
    the cursor, "" after a space), as (value, help) pairs, parsed as the script parses them."""
    protocol = re.search(r"\$Env:_DEVCREDS_COMPLETE = '([a-z_]+)'", script)
    assert protocol is not None
    *before, word = words
    quoted = [_posix_quoted(w) for w in ["devcreds", *before, *([word] if word else [])]]
    asked = {"_DEVCREDS_COMPLETE": protocol[1], "_TYPER_COMPLETE_ARGS": " ".join(quoted)}
    if word:  # the script's empty assignment leaves the variable unset
        asked["_TYPER_COMPLETE_WORD_TO_COMPLETE"] = word
    completed = subprocess.run(
        ["devcreds"], env={**env, **asked}, capture_output=True, text=True, timeout=30, check=True
    )
    assert completed.stderr == ""
    assert "-split ':::', 2" in script
    pairs = [line.split(":::", 1) for line in completed.stdout.splitlines() if ":::" in line]
    return [(value, help_text.strip()) for value, help_text in pairs]


def test_the_powershell_script_registers_a_native_completer_for_devcreds(
    powershell_script: str, shell_env: dict[str, str]
) -> None:
    """powershell and pwsh print one script, a native argument completer for devcreds."""
    pwsh = subprocess.run(
        ["devcreds", "completion", "pwsh"],
        env=shell_env, capture_output=True, text=True, timeout=30, check=True,
    ).stdout  # fmt: skip
    assert pwsh == powershell_script
    assert "Register-ArgumentCompleter -Native -CommandName devcreds" in powershell_script
    assert "-ScriptBlock {" in powershell_script


def test_the_powershell_script_leaves_key_bindings_alone(powershell_script: str) -> None:
    """The PowerShell script binds no key and sets no PSReadLine option or global variable."""
    for global_change in ("PSReadLine", "-Chord", "$global:", "-Scope Global", "Set-Variable"):
        assert global_change.lower() not in powershell_script.lower()


def test_the_powershell_script_sets_then_restores_the_protocol_variables(
    powershell_script: str,
) -> None:
    """The variables set for the call to devcreds are put back as they were, even on error."""
    try_head, rest = powershell_script.split("    try {\n")
    try_block, finally_block = rest.split("} finally {")
    assert sorted(re.findall(r"\$Env:(\w+) =", powershell_script)) == sorted(PROTOCOL_VARIABLES)
    for name in PROTOCOL_VARIABLES:
        assert f"$Env:{name} = " in try_block
    assert "$saved[$name] = [Environment]::GetEnvironmentVariable($name)" in try_head
    names = re.search(r"\$names = (.*)", powershell_script)
    assert names is not None
    assert names[1].replace("'", "").split(", ") == list(PROTOCOL_VARIABLES)
    assert "foreach ($name in $names)" in finally_block
    assert "[Environment]::SetEnvironmentVariable($name, $saved[$name])" in finally_block


def test_powershell_completes_commands_and_options_with_their_help(
    powershell_script: str, shell_env: dict[str, str]
) -> None:
    """PowerShell gets commands and options from devcreds as value:::help lines."""
    exported = _powershell(powershell_script, shell_env, "exp")
    assert [value for value, _ in exported] == ["export"]
    assert exported[0][1].startswith("Print credentials")
    options = dict(_powershell(powershell_script, shell_env, "login", "--use"))
    assert "--use-device-code" in options
    assert options["--use-device-code"] != ""


def test_powershell_completes_profiles_sessions_and_formats(
    powershell_script: str, shell_env: dict[str, str]
) -> None:
    """PowerShell gets the config's profiles (with account and role), sessions and formats."""
    assert _powershell(powershell_script, shell_env, "export", "--profile", "prod-") == [
        ("prod-Admin", "333333333333 Admin"),
        ("prod-ReadOnly", "333333333333 ReadOnly"),
    ]
    assert _powershell(powershell_script, shell_env, "login", "-p", "d") == [("dev", "")]
    assert _powershell(powershell_script, shell_env, "roles", "--sso-session", "") == [
        ("corp", "https://d-1234567890.awsapps.com/start")
    ]
    formats = _powershell(powershell_script, shell_env, "export", "--format", "env")
    assert [value for value, _ in formats] == ["env", "env-no-export"]


def test_powershell_words_with_spaces_reach_devcreds_whole(
    powershell_script: str, shell_env: dict[str, str]
) -> None:
    """A profile name with a space completes, and a quoted word before it stays one word."""
    config = Path(shell_env["AWS_CONFIG_FILE"])
    config.write_text(config.read_text() + '\n[profile "team dev"]\nregion = eu-west-1\n')
    assert _powershell(powershell_script, shell_env, "export", "--profile", "team d") == [
        ("team dev", "")
    ]
    after = _powershell(powershell_script, shell_env, "--profile", "team dev", "export", "--f")
    assert [value for value, _ in after] == ["--format"]
    # The script single-quotes such a value for PowerShell, and leaves a plain one as it is.
    match = re.search(r"\$value -match '((?:[^']|'')*)'", powershell_script)
    assert match is not None
    needs_quotes = re.compile(match[1].replace("''", "'"))
    assert needs_quotes.search("team dev")
    assert not needs_quotes.search("prod-Admin")
    assert not needs_quotes.search("--format")
    assert """$value.Replace("'", "''")""" in powershell_script


def test_completing_loads_no_aws_sdk(shell_env: dict[str, str]) -> None:
    """A Tab press does not import botocore, most of a slow start."""
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
