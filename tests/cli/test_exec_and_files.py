"""``write dotenv``, ``write credentials`` and ``exec`` as a user runs them."""

from __future__ import annotations

import json
import shutil
import signal
import stat
import subprocess
import sys
from pathlib import Path

SAMPLES = Path(__file__).parents[1] / "samples"
PRINT_ENV = "import json, os; print(json.dumps({k: v for k, v in os.environ.items() if k.startswith('AWS_')}))"


def test_exec_passes_credentials_and_region_not_the_profile(logged_in):
    """The child sees the credentials and the profile's region, and no AWS_PROFILE."""
    logged_in.configure(region="eu-west-1")
    out = logged_in.ok(
        "exec", "--profile", "dev", "--", sys.executable, "-c", PRINT_ENV, AWS_PROFILE="dev"
    )
    env = json.loads(out)
    creds = logged_in.export()
    assert (env["AWS_ACCESS_KEY_ID"], env["AWS_SESSION_TOKEN"]) == (
        creds["AccessKeyId"],
        creds["SessionToken"],
    )
    assert (env["AWS_REGION"], env["AWS_DEFAULT_REGION"]) == ("eu-west-1", "eu-west-1")
    assert "AWS_PROFILE" not in env


def test_exec_returns_the_commands_exit_code(logged_in):
    """devcreds exec exits with the command's own exit code."""
    completed = logged_in.run(
        "exec", "--profile", "dev", "--", sys.executable, "-c", "raise SystemExit(7)"
    )
    assert completed.returncode == 7


def test_exec_options_after_the_command_belong_to_it(logged_in):
    """Arguments after CMD are CMD's, even if they look like ours."""
    out = logged_in.ok(
        "exec",
        "--profile",
        "dev",
        "--",
        sys.executable,
        "-c",
        "import sys; print(sys.argv[1:])",
        "--profile",
        "x",
    )
    assert out.strip() == "['--profile', 'x']"


def test_exec_forwards_sigterm_and_sigint(logged_in):
    """SIGTERM and SIGINT sent to devcreds exec reach the command."""
    script = (
        "import signal, sys, time\n"
        "signal.signal(signal.SIGTERM, lambda *a: sys.exit(42))\n"
        "signal.signal(signal.SIGINT, lambda *a: sys.exit(43))\n"
        "print('ready', flush=True)\n"
        "time.sleep(30)\n"
    )
    for signum, code in ((signal.SIGTERM, 42), (signal.SIGINT, 43)):
        process = logged_in.popen("exec", "--profile", "dev", "--", sys.executable, "-c", script)
        assert process.stdout.readline().strip() == "ready"
        process.send_signal(signum)
        assert process.wait(timeout=30) == code


def test_exec_unknown_command(logged_in):
    """A command that does not exist is one error line with a hint, exit 127 as in a shell."""
    completed = logged_in.run("exec", "--profile", "dev", "--", "no-such-command-here")
    assert completed.returncode == 127
    assert completed.stderr.startswith("error: command not found: no-such-command-here\nhint:")


def test_exec_a_file_that_cannot_run_is_126(logged_in, tmp_path):
    script = tmp_path / "not-executable"
    script.write_text("#!/bin/sh\necho ran\n")
    completed = logged_in.run("exec", "--profile", "dev", "--", str(script))
    assert completed.returncode == 126
    assert completed.stderr.startswith(f"error: cannot run {script}: Permission denied")


def test_exec_marks_the_environment_and_refuses_to_nest(logged_in):
    """The command sees DEVCREDS_PROFILE; a devcreds exec inside it is refused (exit 2)."""
    shown = logged_in.ok(
        "exec", "--profile", "dev", "--", sys.executable, "-c",
        "import os; print(os.environ['DEVCREDS_PROFILE'])",
    )  # fmt: skip
    assert shown == "dev\n"
    nested = logged_in.run(
        "exec", "--profile", "dev", "--", sys.executable, "-m", "devcreds",
        "exec", "--profile", "dev", "--", "true",
    )  # fmt: skip
    assert nested.returncode == 2
    assert "error: already inside devcreds exec for profile dev" in nested.stderr


def test_exec_needs_a_login_off_terminal(cli):
    """Not logged in and not on a terminal: exit 3, the command never runs."""
    completed = cli.run("exec", "--profile", "dev", "--", sys.executable, "-c", "print('ran')")
    assert completed.returncode == 3
    assert "ran" not in completed.stdout


def test_write_dotenv_creates_a_private_file(logged_in, tmp_path):
    """A missing .env is created 0600 with the four variables."""
    path = tmp_path / ".env"
    logged_in.ok("write", "dotenv", str(path), "--profile", "dev")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    creds = logged_in.export()
    assert f"AWS_SESSION_TOKEN={creds['SessionToken']}" in path.read_text().splitlines()


def test_write_dotenv_and_clean_restore_the_file(logged_in, tmp_path):
    """The real fastapi .env gets our lines, and clean gives back every byte."""
    path = tmp_path / ".env"
    shutil.copyfile(SAMPLES / "dotenv/fastapi__full-stack-fastapi-template__1.env", path)
    path.chmod(0o600)
    original = path.read_bytes()
    logged_in.ok("write", "dotenv", str(path), "--profile", "dev")
    assert path.read_bytes() != original
    logged_in.ok("clean", str(path))
    assert path.read_bytes() == original


def test_write_credentials_serves_boto3_and_cleans_exactly(logged_in):
    """A [legacy] profile in the credentials file works in boto3; clean restores the file."""
    path = logged_in.home / ".aws" / "credentials"
    shutil.copyfile(SAMPLES / "ini/synthetic__aws_credentials", path)
    path.chmod(0o644)
    original = path.read_bytes()
    logged_in.ok("write", "credentials", "--profile", "dev", "--as", "legacy")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    code = "import boto3; print(boto3.session.Session(profile_name='legacy').get_credentials().access_key)"
    seen = subprocess.run(
        [sys.executable, "-c", code], env=logged_in.env, capture_output=True, text=True, check=True
    )
    assert seen.stdout.strip() == logged_in.export()["AccessKeyId"]
    logged_in.ok("clean", "--all")
    assert path.read_bytes() == original


def test_write_dotenv_refuses_unusable_files(logged_in, tmp_path):
    """A folder, a read-only file and a non-UTF-8 file: exit 6 each, nothing changed."""
    assert logged_in.run("write", "dotenv", str(tmp_path), "--profile", "dev").returncode == 6
    read_only = tmp_path / "ro.env"
    read_only.write_text("A=1\n")
    read_only.chmod(0o444)
    binary = tmp_path / "bin.env"
    binary.write_bytes(b"A=\xff\n")
    for path in (read_only, binary):
        before = path.read_bytes()
        completed = logged_in.run("write", "dotenv", str(path), "--profile", "dev")
        assert completed.returncode == 6, completed.stderr
        assert str(path) in completed.stderr
        assert path.read_bytes() == before


def test_write_vscode_only_named_configuration(logged_in, tmp_path):
    """--configuration limits the write to that launch configuration."""
    path = tmp_path / "launch.json"
    shutil.copyfile(SAMPLES / "vscode/jellyfin__jellyfin__1.json", path)
    path.chmod(0o644)
    logged_in.ok(
        "write",
        "vscode",
        str(path),
        "--configuration",
        ".NET Core Launch (console)",
        "--profile",
        "dev",
    )
    from devcreds.sinks import jsonc

    configurations = jsonc.to_python(jsonc.parse(path.read_text()))["configurations"]
    assert ["AWS_SESSION_TOKEN" in c.get("env", {}) for c in configurations] == [True, False]


def test_write_dotenv_into_a_missing_folder(logged_in, tmp_path):
    """A .env in a folder that does not exist: exit 6 with a hint, no traceback."""
    completed = logged_in.run(
        "write", "dotenv", str(tmp_path / "nope" / ".env"), "--profile", "dev"
    )
    assert completed.returncode == 6
    assert "does not exist" in completed.stderr
    assert "Traceback" not in completed.stderr
