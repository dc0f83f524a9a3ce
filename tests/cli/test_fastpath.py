"""The cached ``export`` path: no heavy imports, and exactly the full CLI's output."""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import sys

import pytest

from devcreds import formats

HEAVY = ("botocore", "boto3", "click", "typer", "rich", "pydantic", "configupdater")


def _imported(cli, *args):
    completed = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "devcreds", *args],
        env=cli.env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    modules = {line.split("|")[-1].strip() for line in completed.stderr.splitlines() if "|" in line}
    return completed.stdout, modules


def test_cached_export_imports_no_heavy_library(logged_in):
    """With valid cached credentials, export loads no AWS SDK, CLI framework or terminal library."""
    logged_in.export()
    calls = logged_in.emu.stats()
    out, modules = _imported(logged_in, "export", "--profile", "dev")
    assert json.loads(out)["AccessKeyId"].startswith("ASIA")
    assert sorted(m for m in modules if m.split(".")[0] in HEAVY) == []
    assert logged_in.emu.stats() == calls


def test_renewal_takes_the_full_path_without_the_cli_framework(logged_in):
    """Credentials close to expiry are renewed through botocore, and off a terminal without
    Typer, rich or pydantic, which cost more to load than the renewal itself."""
    logged_in.export()
    path = logged_in.only_file(logged_in.cli_cache)
    data = json.loads(path.read_text())
    data["Credentials"]["Expiration"] = (
        dt.datetime.now(dt.UTC) + dt.timedelta(minutes=10)
    ).strftime("%Y-%m-%dT%H:%M:%SZ")
    path.write_text(json.dumps(data))
    out, modules = _imported(logged_in, "export", "--profile", "dev")
    assert "botocore" in modules
    assert (
        sorted(m for m in modules if m.split(".")[0] in ("typer", "click", "rich", "pydantic"))
        == []
    )
    assert json.loads(out)["Expiration"] != data["Credentials"]["Expiration"]


@pytest.mark.parametrize("fmt", formats.FORMATS)
def test_fast_and_full_path_print_the_same(logged_in, fmt):
    """For every format the fast path prints byte for byte what the full CLI prints."""
    logged_in.export()
    fast, modules = _imported(logged_in, "export", "--profile", "dev", f"--format={fmt}")
    assert "devcreds.awsconfig" not in modules  # it really was the fast path
    full = logged_in.ok("export", "--profile", "dev", "--format", fmt, DEVCREDS_FAST_PATH="0")
    assert fast == full


def test_cache_written_by_another_tool_in_other_form_prints_the_same(logged_in):
    """An Expiration in a non-canonical form goes the full way and is printed normalised."""
    logged_in.export()
    path = logged_in.only_file(logged_in.cli_cache)
    data = json.loads(path.read_text())
    data["Credentials"]["Expiration"] = data["Credentials"]["Expiration"].replace("Z", "+00:00")
    del data["Credentials"]["AccountId"]  # as the AWS CLI 2.9 writes it
    path.write_text(json.dumps(data))
    fast = logged_in.ok("export", "--profile", "dev")
    full = logged_in.ok("export", "--profile", "dev", DEVCREDS_FAST_PATH="0")
    assert fast == full
    assert re.search(r'"Expiration": "[^"]+Z"', fast)


@pytest.mark.parametrize(
    "args", [("--profile", "nope"), ("--profile", "dev", "--format", "yaml"), ("--profile",)]
)
def test_what_the_fast_path_cannot_answer_gets_the_full_cli_error(logged_in, args):
    """Unknown profiles, formats and broken options get the full CLI's error and exit code."""
    logged_in.export()
    completed = logged_in.run("export", *args)
    assert completed.returncode == 2
    assert completed.stdout == ""


def test_a_changed_config_file_sends_export_the_full_way(logged_in):
    """After any edit of the AWS config file the fast path steps aside until a full run."""
    logged_in.export()
    with logged_in.config.open("a") as config:
        config.write("\n# edited\n")
    _, modules = _imported(logged_in, "export", "--profile", "dev")
    assert "devcreds.awsconfig" in modules
    _, modules = _imported(logged_in, "export", "--profile", "dev")
    assert "devcreds.awsconfig" not in modules


def test_the_note_holds_no_secret(logged_in):
    """The fast path's note names files and a profile, never a key or token."""
    creds = logged_in.export()
    note = (logged_in.home / ".aws" / "devcreds" / "fastpath.json").read_text()
    assert creds["SecretAccessKey"] not in note
    assert creds["SessionToken"] not in note
    assert creds["AccessKeyId"] not in note
