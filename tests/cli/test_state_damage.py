"""Damaged or hostile caches through the CLI: a documented exit code, no traceback, the
damaged file's bytes left as they were, and a fast path that serves nothing the CLI rejects."""

from __future__ import annotations

import hashlib
import json
import os

import pytest

EXPIRY = "2099-01-01T00:00:00Z"
TOKEN_DAMAGE = {
    "not-json": b"{",
    "deep": b"[" * 100_000 + b"]" * 100_000,
    "deep-object": b'{"a":' * 100_000 + b"1" + b"}" * 100_000,
    "list": b'["accessToken"]',
    "expiry-number": b'{"accessToken": "aoa", "expiresAt": 5}',
    "null-token": b'{"accessToken": null, "expiresAt": "' + EXPIRY.encode() + b'"}',
    "year-0": b'{"accessToken": "aoa", "expiresAt": "0001-01-01T00:00:00+01:00"}',
    "year-10000": b'{"accessToken": "aoa", "expiresAt": "9999-12-31T23:59:59-01:00"}',
    "month-13": b'{"accessToken": "aoa", "expiresAt": "2099-13-45T99:99:99Z"}',
    "huge-number": b'{"accessToken": "aoa", "expiresAt": ' + b"9" * 5000 + b"}",
    "infinite": b'{"accessToken": "aoa", "expiresAt": 1e999}',
    "surrogate": b'{"accessToken": "\\ud800", "expiresAt": "' + EXPIRY.encode() + b'"}',
    "binary": b"\xff\xfe\x00\x01",
    "oversized": b" " * (2 << 20) + b"{}",
}
ROLE_DAMAGE = {
    **{k: v for k, v in TOKEN_DAMAGE.items() if k in ("not-json", "deep", "binary", "oversized")},
    "credentials-null": b'{"ProviderType": "sso", "Credentials": null}',
    "credentials-list": b'{"ProviderType": "sso", "Credentials": ["AccessKeyId"]}',
    "expiration-month-13": json.dumps(
        {
            "ProviderType": "sso",
            "Credentials": {
                "AccessKeyId": "ASIAX",
                "SecretAccessKey": "s",
                "SessionToken": "t",
                "Expiration": "2099-13-45T99:99:99Z",
            },
        }
    ).encode(),
    "newline-in-token": json.dumps(
        {
            "ProviderType": "sso",
            "Credentials": {
                "AccessKeyId": "ASIAX",
                "SecretAccessKey": "s",
                "SessionToken": "t\n$(echo owned)",
                "Expiration": EXPIRY,
            },
        }
    ).encode(),
}


def _token_path(cli):
    return cli.sso_cache / f"{hashlib.sha1(b'corp').hexdigest()}.json"


def _check_login_needed(completed):
    assert completed.returncode == 3, completed.stderr
    assert "Traceback" not in completed.stderr
    error, hint = completed.stderr.splitlines()
    assert error.startswith("error: not logged in to corp")
    assert hint == "hint: devcreds login --profile dev"
    assert completed.stdout == ""


@pytest.mark.parametrize("content", TOKEN_DAMAGE.values(), ids=TOKEN_DAMAGE.keys())
def test_a_damaged_token_means_a_login_and_stays_as_it_was(cli, content):
    """Every kind of damaged token cache: exit 3 with the login hint, the file untouched;
    status reads it as not logged in, without a traceback either."""
    path = _token_path(cli)
    path.parent.mkdir(parents=True)
    path.write_bytes(content)
    _check_login_needed(cli.run("export", "--profile", "dev"))
    status = cli.run("status", "--json")
    assert status.returncode == 3, status.stderr  # a login is needed
    assert json.loads(status.stdout)["sessions"][0]["loggedIn"] is False
    assert path.read_bytes() == content


@pytest.mark.parametrize("content", ROLE_DAMAGE.values(), ids=ROLE_DAMAGE.keys())
def test_a_damaged_role_cache_without_a_login_stays_as_it_was(make_cli, content):
    """Damaged role credentials and no token: exit 3, and the role cache is not touched."""
    cli = make_cli()
    cli.configure()
    cli.ok("login", "--profile", "dev", "--use-device-code", "--no-browser")
    cli.export()
    role_path = cli.only_file(cli.cli_cache)
    _token_path(cli).unlink()
    role_path.write_bytes(content)
    _check_login_needed(cli.run("export", "--profile", "dev"))
    assert role_path.read_bytes() == content


@pytest.mark.parametrize("content", ROLE_DAMAGE.values(), ids=ROLE_DAMAGE.keys())
def test_a_damaged_role_cache_is_fetched_again(logged_in, content):
    """Logged in, a damaged role cache is absent: new credentials, on the fast path's note too."""
    first = logged_in.export()
    role_path = logged_in.only_file(logged_in.cli_cache)
    role_path.write_bytes(content)
    completed = logged_in.run("export", "--profile", "dev")
    assert completed.returncode == 0, completed.stderr
    assert "Traceback" not in completed.stderr
    again = json.loads(completed.stdout)
    assert again["AccessKeyId"] != first["AccessKeyId"]
    assert again["Expiration"] != "2099-13-45T99:99:99Z"
    assert logged_in.emu.calls("GetRoleCredentials") == 2
    assert logged_in.export() == again


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")
def test_a_fifo_in_place_of_the_caches_is_no_hang(logged_in):
    """A FIFO where the role cache and the token belong: refused at once, never waited on."""
    logged_in.export()
    role_path = logged_in.only_file(logged_in.cli_cache)
    role_path.unlink()
    os.mkfifo(role_path)
    _token_path(logged_in).unlink()
    os.mkfifo(_token_path(logged_in))
    _check_login_needed(logged_in.run("export", "--profile", "dev", timeout=30))


def test_the_fast_path_never_serves_an_impossible_expiration(logged_in):
    """An Expiration of the canonical shape that is no instant: the full CLI fetches anew."""
    logged_in.export()
    path = logged_in.only_file(logged_in.cli_cache)
    data = json.loads(path.read_text())
    data["Credentials"]["Expiration"] = "2099-13-45T99:99:99Z"
    path.write_text(json.dumps(data))
    out = logged_in.export()
    assert out["Expiration"] != "2099-13-45T99:99:99Z"
    assert logged_in.emu.calls("GetRoleCredentials") == 2


def test_an_unwritable_fast_path_note_does_not_fail_export(logged_in):
    """Valid cached credentials and no room for the note (a file where its folder belongs):
    export succeeds with nothing on stderr; --debug says the note was skipped."""
    creds = logged_in.export()
    state = logged_in.home / ".aws" / "devcreds"
    (state / "fastpath.json").unlink()
    for folder in sorted(state.rglob("*"), reverse=True):
        folder.rmdir() if folder.is_dir() else folder.unlink()
    state.rmdir()
    state.write_text("in the way\n")
    completed = logged_in.run("export", "--profile", "dev")
    assert (completed.returncode, completed.stderr) == (0, "")
    assert json.loads(completed.stdout) == creds
    debug = logged_in.run("--debug", "export", "--profile", "dev")
    assert debug.returncode == 0, debug.stderr
    assert "no fast-path note" in debug.stderr
    assert state.read_text() == "in the way\n"
