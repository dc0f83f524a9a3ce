"""``devcreds refresh`` as a user runs it, on real files, against the emulator.

Credentials the emulator issues with a lifetime of 0 are expired the moment a file gets
them: they stand for credentials whose time ran out, without waiting for it.
"""

from __future__ import annotations

import dataclasses
import io
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from dotenv import dotenv_values

from tests.cli.conftest import Cli

SAMPLES = Path(__file__).parents[1] / "samples"
NAMES = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN")


def credentials_live(cli: Cli, seconds: int) -> None:
    """From now on the emulator issues credentials that live ``seconds``."""
    state = cli.emu.emulator.state
    state.config = dataclasses.replace(state.config, credentials_ttl=seconds)


@pytest.fixture
def expired(make_cli) -> Cli:
    """Logged in; every file written gets credentials that have already expired."""
    cli = make_cli(credentials_ttl=0)
    cli.configure(region="eu-west-1")
    cli.ok("login", "--profile", "dev", "--use-device-code", "--no-browser")
    return cli


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=cwd, capture_output=True, text=True, check=True,
        env={**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@e", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@e"},
    ).stdout  # fmt: skip


def env_of(path: Path) -> dict[str, str | None]:
    return dotenv_values(stream=io.StringIO(path.read_text()))


def only_values_changed(before: str, after: str, new: dict[str, str]) -> int:
    """Every line of ``after`` is the line of ``before``, or that line with one credential
    value swapped for one of ``new``'s, in the same place; the number of lines swapped."""
    old_lines, new_lines = before.split("\n"), after.split("\n")
    assert len(old_lines) == len(new_lines)
    swapped = 0
    for old, line in zip(old_lines, new_lines, strict=True):
        if old == line:
            continue
        value = next(v for v in new.values() if v in line)
        start = line.index(value)
        head, tail = line[:start], line[start + len(value) :]
        assert old.startswith(head), (old, line)
        assert old.endswith(tail), (old, line)
        assert old[len(head) : len(old) - len(tail)].strip("\"' ")  # a value was there
        swapped += 1
    return swapped


def test_refresh_after_expiry_swaps_only_credential_values_and_clean_restores_every_byte(
    expired, tmp_path
):
    """launchSettings (one launch profile, --with-region), launch.json, .env and the
    credentials file, all written with credentials that expired: refresh gives each the same
    new keys, changing nothing but their values (no other launch profile gets any, AWS_REGION
    stays), and clean --all gives back the originals."""
    project = tmp_path / "project"
    launch = project / "Properties" / "launchSettings.json"
    vscode = project / ".vscode" / "launch.json"
    dotenv = project / ".env"
    for path, sample in (
        (launch, "launchSettings/dotnet__eShop__1.json"),
        (vscode, "vscode/dotnet__eShop__1.json"),
        (dotenv, "dotenv/fastapi__full-stack-fastapi-template__1.env"),
    ):
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(SAMPLES / sample, path)
    originals = {path: path.read_bytes() for path in (launch, vscode, dotenv)}
    expired.ok(
        "write", "launchsettings", str(launch), "--launch-profile", "https", "--with-region",
        "--profile", "dev",
    )  # fmt: skip
    expired.ok("write", "vscode", str(vscode), "--profile", "dev")
    expired.ok("write", "dotenv", str(dotenv), "--profile", "dev")
    expired.ok("write", "credentials", "--as", "app", "--profile", "dev")
    credentials = expired.home / ".aws" / "credentials"
    files = [launch, vscode, dotenv, credentials]
    written = {path: path.read_text() for path in files}
    credentials_live(expired, 3600)

    completed = expired.run("refresh")

    assert completed.returncode == 0, completed.stderr
    for path in files:
        assert f"updated: {path} (profile dev, until " in completed.stderr
    new = {name: env_of(dotenv)[name] or "" for name in (*NAMES, "AWS_CREDENTIAL_EXPIRATION")}
    assert all(value not in written[dotenv] for value in new.values())
    swapped = {path: only_values_changed(written[path], path.read_text(), new) for path in files}
    assert swapped[credentials] == 3  # the credentials file holds no expiry
    assert swapped[dotenv] == 4
    assert swapped[launch] == 4  # the one launch profile written, not the others
    assert swapped[vscode] > 0
    assert swapped[vscode] % 4 == 0  # four per configuration
    assert '"AWS_REGION": "eu-west-1"' in launch.read_text()
    expired.ok("clean", "--all")
    assert {path: path.read_bytes() for path in originals} == originals
    assert not credentials.exists()  # devcreds created it


def test_fresh_files_are_left_as_they_are_and_say_until_when(logged_in, tmp_path):
    """Credentials an hour from expiry: not rewritten, no call to the portal, and the line
    says until when they stay fresh (15 minutes before they expire)."""
    path = tmp_path / ".env"
    logged_in.ok("write", "dotenv", str(path), "--profile", "dev")
    written = path.read_bytes()
    calls = logged_in.emu.calls("GetRoleCredentials")
    completed = logged_in.run("refresh")
    assert completed.returncode == 0, completed.stderr
    assert "still fresh until " in completed.stderr
    assert completed.stderr.rstrip().endswith(f": {path}")
    assert path.read_bytes() == written
    assert logged_in.emu.calls("GetRoleCredentials") == calls
    (row,) = json.loads(logged_in.ok("refresh", "--json"))["files"]
    assert row["status"] == "fresh"
    assert row["refreshAt"] < row["expiresAt"]


def test_force_rewrites_fresh_credentials_with_new_ones(logged_in, tmp_path):
    """--force: a fresh file gets credentials fetched anew, not the ones it holds."""
    path = tmp_path / ".env"
    logged_in.ok("write", "dotenv", str(path), "--profile", "dev")
    key = env_of(path)["AWS_ACCESS_KEY_ID"]
    completed = logged_in.run("refresh", "--force")
    assert completed.returncode == 0, completed.stderr
    assert f"updated: {path}" in completed.stderr
    assert env_of(path)["AWS_ACCESS_KEY_ID"] != key


def test_one_fetch_per_profile_however_many_files(expired, tmp_path):
    """Three files of one profile and one of another: two GetRoleCredentials calls."""
    expired.configure(profile="ops", role="ReadOnly")
    paths = [tmp_path / f"{n}.env" for n in range(4)]
    for path in paths[:3]:
        expired.ok("write", "dotenv", str(path), "--profile", "dev")
    expired.ok("write", "dotenv", str(paths[3]), "--profile", "ops")
    calls = expired.emu.calls("GetRoleCredentials")
    completed = expired.run("refresh")
    assert completed.returncode == 0, completed.stderr
    assert expired.emu.calls("GetRoleCredentials") == calls + 2
    keys = [env_of(path)["AWS_ACCESS_KEY_ID"] for path in paths]
    assert len(set(keys[:3])) == 1
    assert keys[3] != keys[0]


def test_a_deleted_file_is_dropped_from_the_record_and_not_created_again(expired, tmp_path):
    """A .env devcreds created, deleted since: said, forgotten, and still absent."""
    path = tmp_path / ".env"
    expired.ok("write", "dotenv", str(path), "--profile", "dev")
    path.unlink()
    completed = expired.run("refresh")
    assert completed.returncode == 0, completed.stderr
    assert f"{path} is gone; dropped from the record" in completed.stderr
    assert not path.exists()
    assert json.loads(expired.ok("status", "--json"))["sinks"] == []


def test_a_file_edited_free_of_credentials_is_dropped_and_left_as_it_is(expired, tmp_path):
    """The user took devcreds' lines out of their .env: said, forgotten, not a byte written."""
    path = tmp_path / ".env"
    path.write_text("APP=1\n")
    expired.ok("write", "dotenv", str(path), "--profile", "dev")
    path.write_text("APP=1\nMINE=2\n")
    completed = expired.run("refresh")
    assert completed.returncode == 0, completed.stderr
    assert f"{path} no longer holds devcreds' credentials; dropped from the record" in (
        completed.stderr
    )
    assert path.read_text() == "APP=1\nMINE=2\n"
    assert json.loads(expired.ok("status", "--json"))["sinks"] == []


def test_a_needed_login_is_exit_3_with_the_hint_and_starts_none(expired, tmp_path):
    """Logged out, off a terminal: exit 3, hint: devcreds login --profile dev, no traceback,
    no device authorization started, the file untouched."""
    path = tmp_path / ".env"
    expired.ok("write", "dotenv", str(path), "--profile", "dev")
    expired.ok("logout", "--profile", "dev")
    written = path.read_bytes()
    devices = expired.emu.calls("StartDeviceAuthorization")
    completed = expired.run("refresh")
    assert completed.returncode == 3
    assert "hint: devcreds login --profile dev" in completed.stderr
    assert "Traceback" not in completed.stderr
    assert expired.emu.calls("StartDeviceAuthorization") == devices
    assert path.read_bytes() == written


def _committed_launch_file(tmp_path):
    repo = tmp_path / "repo"
    path = repo / "Properties" / "launchSettings.json"
    path.parent.mkdir(parents=True)
    shutil.copyfile(SAMPLES / "launchSettings/dotnet__eShop__1.json", path)
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "project")
    return repo, path


def test_allow_tracked_given_to_the_write_is_remembered(expired, tmp_path):
    """Written with --allow-tracked into a committed file: refresh rewrites it without the
    flag, since the record keeps the user's choice."""
    _, path = _committed_launch_file(tmp_path)
    expired.ok("write", "launchsettings", str(path), "--allow-tracked", "--profile", "dev")
    written = path.read_bytes()
    again = expired.run("refresh")
    assert again.returncode == 0, again.stderr
    assert path.read_bytes() != written


def test_a_file_git_began_to_track_after_the_write_is_refused(expired, tmp_path):
    """Written untracked (no --allow-tracked), then committed: refresh refuses it (exit 6)
    until it is given --allow-tracked."""
    repo = tmp_path / "repo"
    path = repo / "Properties" / "launchSettings.json"
    path.parent.mkdir(parents=True)
    shutil.copyfile(SAMPLES / "launchSettings/dotnet__eShop__1.json", path)
    git(repo, "init", "-q")
    expired.ok("write", "launchsettings", str(path), "--profile", "dev")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "project, keys and all")
    written = path.read_bytes()
    refused = expired.run("refresh")
    assert refused.returncode == 6
    assert "git tracks" in refused.stderr
    assert "--allow-tracked" in refused.stderr
    assert path.read_bytes() == written
    allowed = expired.run("refresh", "--allow-tracked")
    assert allowed.returncode == 0, allowed.stderr
    assert path.read_bytes() != written


def test_json_names_each_file_and_no_secret(expired, tmp_path):
    """--json: one entry per file with its status and times; no key or token anywhere in
    the output, neither the old nor the new."""
    path = tmp_path / ".env"
    expired.ok("write", "dotenv", str(path), "--profile", "dev")
    old = env_of(path)
    completed = expired.run("refresh", "--json")
    assert completed.returncode == 0, completed.stderr
    (row,) = json.loads(completed.stdout)["files"]
    assert (row["path"], row["status"], row["profile"], row["error"]) == (
        str(path),
        "updated",
        "dev",
        None,
    )
    new = env_of(path)
    for values in (old, new):
        for name in NAMES:
            assert values[name]
            assert values[name] not in completed.stdout + completed.stderr


def test_a_path_devcreds_never_wrote_is_a_usage_error(logged_in, tmp_path):
    completed = logged_in.run("refresh", str(tmp_path / "nope.env"))
    assert completed.returncode == 2
    assert "devcreds has no record of writing to" in completed.stderr


def test_only_the_files_named_are_refreshed(expired, tmp_path):
    """refresh PATH: that file; the other one keeps its (expired) credentials."""
    first, second = tmp_path / "a.env", tmp_path / "b.env"
    for path in (first, second):
        expired.ok("write", "dotenv", str(path), "--profile", "dev")
    untouched = second.read_bytes()
    completed = expired.run("refresh", str(first))
    assert completed.returncode == 0, completed.stderr
    assert f"updated: {first}" in completed.stderr
    assert str(second) not in completed.stderr
    assert second.read_bytes() == untouched


def test_files_that_point_at_serve_are_skipped_or_listed_with_verbose(expired, tmp_path):
    """write --via serve: refresh says nothing of that file (-v lists it as live) and leaves
    every byte; the file with keys beside it is refreshed."""
    served, keyed = tmp_path / "served.env", tmp_path / "keyed.env"
    expired.ok("write", "dotenv", str(served), "--via", "serve", "--profile", "dev")
    expired.ok("write", "dotenv", str(keyed), "--profile", "dev")
    pointing = served.read_bytes()
    quiet = expired.run("refresh")
    assert quiet.returncode == 0, quiet.stderr
    assert str(served) not in quiet.stderr
    assert f"updated: {keyed}" in quiet.stderr
    listed = expired.run("refresh", "-v")
    assert f"live, nothing to refresh: {served}" in listed.stderr
    assert served.read_bytes() == pointing
