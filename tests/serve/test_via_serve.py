"""write … --via serve: files point at devcreds serve; no AWS secret, fine in a tracked file."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys

import pytest

from devcreds.sinks import jsonc
from tests.cli.test_write import SAMPLES, git
from tests.serve.conftest import start_serve

URI = "AWS_CONTAINER_CREDENTIALS_FULL_URI"
TOKEN_FILE = "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"
SECRET_SHAPES = re.compile(r"ASIA[A-Z0-9]{12,}|AWS_SECRET_ACCESS_KEY|AWS_SESSION_TOKEN")


@pytest.fixture
def project(tmp_path):
    """A committed .NET solution: Web's launchSettings.json tracked, Api's ignored."""
    root = tmp_path / "solution"
    for name in ("Web", "Api"):
        path = root / name / "Properties" / "launchSettings.json"
        path.parent.mkdir(parents=True)
        shutil.copyfile(SAMPLES / "launchSettings/dotnet__eShop__1.json", path)
    (root / ".gitignore").write_text("Api/Properties/launchSettings.json\n")
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "solution")
    return root


def _env(path):
    profiles = jsonc.to_python(jsonc.parse(path.read_text()))["profiles"]
    return {name: p.get("environmentVariables", {}) for name, p in profiles.items()}


def test_a_tracked_launch_file_gets_the_url_and_nothing_secret(logged_in, project):
    """git diff: only the URL lines; no key, no token, no per-user path; a line says so."""
    tracked = project / "Web" / "Properties" / "launchSettings.json"
    completed = logged_in.run(
        "write", "launchsettings", "--via", "serve", "--profile", "dev", cwd=project / "Web"
    )
    assert completed.returncode == 0, completed.stderr
    assert "is in git: it now points at devcreds serve" in completed.stderr
    diff = git(project, "diff", "-U0")
    added = [
        line for line in diff.splitlines() if line.startswith("+") and not line.startswith("+++")
    ]
    assert added
    assert all(
        URI in line or line.strip("+ ,") in ("}", '"environmentVariables": {') or line.endswith(",")
        for line in added
    ), added
    assert not SECRET_SHAPES.search(diff)
    assert str(logged_in.home) not in diff  # the token file is each developer's own
    assert {env[URI] for env in _env(tracked).values()} == {
        "http://127.0.0.1:9155/account/111111111111/role/Developer"
    }


def test_recursive_keys_write_the_files_it_may_and_name_the_way_for_the_rest(logged_in, project):
    """Keys, --recursive: the ignored file is written, the tracked one refused (exit 6), the
    hint names --via serve."""
    completed = logged_in.run(
        "write", "launchsettings", "--recursive", ".", "--profile", "dev", cwd=project
    )
    assert completed.returncode == 6
    assert "--via serve" in completed.stderr
    ignored = _env(project / "Api" / "Properties" / "launchSettings.json")
    assert all(env["AWS_ACCESS_KEY_ID"].startswith("ASIA") for env in ignored.values())
    assert git(project, "status", "--porcelain") == ""


def test_an_untracked_file_names_the_token_file_and_an_sdk_gets_credentials(logged_in, tmp_path):
    """A .env with the two variables: boto3, given exactly those, calls STS through serve."""
    path = tmp_path / ".env"
    logged_in.ok(
        "write", "dotenv", str(path), "--via", "serve", "--profile", "dev", "--serve-port", "9"
    )
    values = dict(line.split("=", 1) for line in path.read_text().splitlines())
    assert set(values) == {URI, TOKEN_FILE}
    serving = start_serve(logged_in)
    try:
        env = dict(logged_in.env)
        env.update(values, AWS_REGION="us-east-1")
        env[URI] = serving.url("dev")  # the test's serve has a port of its own
        code = (
            "import boto3; print(boto3.client('sts', region_name='us-east-1', endpoint_url="
            f"{logged_in.emu.url!r}).get_caller_identity()['Account'])"
        )
        seen = subprocess.run(
            [sys.executable, "-c", code],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    finally:
        serving.stop()
    assert seen.stdout.strip() == "111111111111", seen.stderr


def test_switching_from_keys_to_serve_takes_the_keys_out_and_clean_restores(logged_in, tmp_path):
    """Keys first, then --via serve: no key left; clean gives back the original bytes."""
    path = tmp_path / ".env"
    original = "APP=1\nAWS_REGION=eu-west-1\n"
    path.write_text(original)
    logged_in.ok("write", "dotenv", str(path), "--profile", "dev")
    assert "AWS_SECRET_ACCESS_KEY" in path.read_text()
    logged_in.ok("write", "dotenv", str(path), "--via", "serve", "--profile", "dev")
    text = path.read_text()
    assert "AWS_SECRET_ACCESS_KEY" not in text
    assert "AWS_ACCESS_KEY_ID" not in text
    assert URI in text
    logged_in.ok("clean", str(path))
    assert path.read_text() == original


def test_via_serve_needs_no_login(cli, tmp_path):
    """Pointing a file at serve asks for no credentials: works before any login."""
    path = tmp_path / ".env"
    completed = cli.run("write", "dotenv", str(path), "--via", "serve", "--profile", "dev")
    assert completed.returncode == 0, completed.stderr
    assert "devcreds serve is not running" in completed.stderr
    assert cli.emu.calls("CreateToken") == 0


def test_status_shows_files_pointing_at_serve(logged_in, tmp_path):
    """status --json: the file is live through serve, and whether serve is running."""
    path = tmp_path / ".env"
    logged_in.ok("write", "dotenv", str(path), "--via", "serve", "--profile", "dev")
    rows = json.loads(logged_in.ok("status", "--json"))["sinks"]
    (row,) = [r for r in rows if r["path"] == str(path)]
    assert row["via"] == "serve"
    assert row["serveRunning"] is False
