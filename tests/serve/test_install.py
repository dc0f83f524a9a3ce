"""serve --install: a user service that starts serve at login, with no secret in it."""

from __future__ import annotations

import plistlib
import shutil
import subprocess
import sys

import pytest

from devcreds.platforms import Platform
from devcreds.serve import install
from tests.support import require_tool


def _unit(tmp_path):
    return tmp_path / "xdg" / "systemd" / "user" / "devcreds-serve.service"


def test_install_writes_a_systemd_user_unit_without_secrets(cli, tmp_path):
    """The unit runs this devcreds on the port, carries AWS_CONFIG_FILE, never a key; where
    the manager cannot take it, the commands to run are printed and the exit is 0."""
    env = {"XDG_CONFIG_HOME": str(tmp_path / "xdg"), "AWS_SECRET_ACCESS_KEY": "s3cr3tValue"}
    completed = cli.run("serve", "--install", "--port", "9177", **env)
    assert completed.returncode == 0, completed.stderr
    text = _unit(tmp_path).read_text()
    assert f'ExecStart="{sys.executable}" "-m" "devcreds" "serve" "--port" "9177"' in text
    assert f'Environment="AWS_CONFIG_FILE={cli.config}"' in text
    assert "s3cr3tValue" not in text
    assert "SECRET" not in text
    if "installed and started" not in completed.stderr:
        assert "systemctl --user enable --now devcreds-serve.service" in completed.stderr
    assert (cli.home / ".aws" / "devcreds" / "serve" / "token").exists()


@pytest.mark.systemd
def test_the_unit_passes_systemd_analyze_verify(cli, tmp_path):
    """systemd's own checker accepts the unit."""
    analyze = require_tool(shutil.which("systemd-analyze"), "systemd-analyze (Debian: systemd)")
    cli.ok("serve", "--install", XDG_CONFIG_HOME=str(tmp_path / "xdg"))
    checked = subprocess.run(
        [analyze, "verify", str(_unit(tmp_path))], capture_output=True, text=True, check=False
    )
    assert checked.returncode == 0, checked.stderr


def test_uninstall_removes_the_unit(cli, tmp_path):
    """--uninstall takes the unit away; a second one finds nothing and still exits 0."""
    env = {"XDG_CONFIG_HOME": str(tmp_path / "xdg")}
    cli.ok("serve", "--install", **env)
    cli.ok("serve", "--uninstall", **env)
    assert not _unit(tmp_path).exists()
    assert "no service file" in cli.run("serve", "--uninstall", **env).stderr


def test_systemd_words_keep_percent_and_dollar_literal():
    """A path holding % or $ reaches serve as written, not as a systemd specifier."""
    unit = install.systemd_unit(9155, {"AWS_CONFIG_FILE": "/home/a%h/$x/config"})
    assert 'Environment="AWS_CONFIG_FILE=/home/a%%h/$$x/config"' in unit


def test_the_launchd_agent_runs_serve_and_keeps_it_alive(tmp_path):
    """macOS: a plist launchd reads, with the program, the port and the passed variables."""
    agent = plistlib.loads(
        install.launchd_plist(
            9155, {"AWS_CONFIG_FILE": "/c", "AWS_ACCESS_KEY_ID": "AKIA"}, tmp_path
        )
    )
    assert agent["Label"] == "com.devcreds.serve"
    assert agent["ProgramArguments"][1:] == ["-m", "devcreds", "serve", "--port", "9155"]
    assert agent["EnvironmentVariables"] == {"AWS_CONFIG_FILE": "/c"}
    assert agent["RunAtLoad"] is True


def test_the_windows_entry_starts_serve_at_logon():
    """Windows: the Run value runs this devcreds' serve at logon (more in
    test_install_windows.py)."""
    program = install.windows_program(sys.executable, Platform("win32"))
    assert program[1:] == ["-m", "devcreds", "serve", "--at-logon"]


@pytest.mark.posix
def test_install_names_the_token_variable_for_bash_and_powershell(cli, tmp_path):
    """The one-time variable, as a line for ~/.profile (which sh reads back as the token
    file's path) and as PowerShell's per-user setting (no admin rights, no setx quoting)."""
    completed = cli.run("serve", "--install", XDG_CONFIG_HOME=str(tmp_path / "xdg"))
    assert completed.returncode == 0, completed.stderr
    token = cli.home / ".aws" / "devcreds" / "serve" / "token"
    (bash,) = [line for line in completed.stderr.splitlines() if "in ~/.profile:" in line]
    export = bash.split("in ~/.profile: ", 1)[1]
    shown = subprocess.run(
        ["sh", "-c", f'{export}; printf %s "$AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"'],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert shown == str(token)
    assert (
        "[Environment]::SetEnvironmentVariable('AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE', "
        f"'{token}', 'User')" in completed.stderr
    )
