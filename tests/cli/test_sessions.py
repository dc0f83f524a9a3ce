"""``roles``, ``status`` and ``logout``."""

from __future__ import annotations

import json

import pytest


def test_roles_json_lists_every_account_and_role(logged_in):
    """--json gives one row per account and role, all pages followed."""
    rows = json.loads(logged_in.ok("roles", "--profile", "dev", "--json"))
    assert len(rows) == 6
    assert rows[0] == {"accountId": "111111111111", "accountName": "dev", "roleName": "Developer"}


def test_roles_follow_pagination(make_cli):
    """With 250 accounts (three pages of 100, the most a page holds) every one is listed."""
    cli = make_cli(accounts=250, roles_per_account=1)
    cli.configure()
    cli.ok("login", "--profile", "dev", "--use-device-code")
    rows = json.loads(cli.ok("roles", "--sso-session", "corp", "--json"))
    assert len({row["accountId"] for row in rows}) == 250
    assert cli.emu.calls("ListAccounts") == 3


def test_roles_table(logged_in):
    """Without --json, a table with account, name and role."""
    out = logged_in.ok("roles", "--profile", "dev")
    assert "222222222222" in out
    assert "staging" in out
    assert "ReadOnly" in out


def test_status_json_shows_expiry_and_no_secret(logged_in):
    """status --json shows the session and the cached credentials, never a secret."""
    creds = logged_in.export()
    token = json.loads(
        next(
            p for p in logged_in.sso_cache.glob("*.json") if "accessToken" in p.read_text()
        ).read_text()
    )
    out = logged_in.ok("status", "--json")
    status = json.loads(out)
    assert status["sessions"][0] == {
        "session": "corp",
        "startUrl": "https://d-0123456789.awsapps.com/start",
        "region": "us-east-1",
        "loggedIn": True,
        "tokenExpiresAt": token["expiresAt"],
        "refreshable": True,
        "needsLogin": False,
    }
    assert status["profiles"][0]["credentialsExpireAt"] == creds["Expiration"]
    for secret in (
        creds["SecretAccessKey"],
        creds["SessionToken"],
        token["accessToken"],
        token["refreshToken"],
        token["clientSecret"],
    ):
        assert secret not in out


def test_status_before_login(cli):
    """A configured but never used session shows as not logged in, and exits 3."""
    completed = cli.run("status", "--json")
    assert completed.returncode == 3
    assert "hint: devcreds login --sso-session corp" in completed.stderr
    status = json.loads(completed.stdout)
    assert status["sessions"][0]["needsLogin"] is True
    assert (status["sessions"][0]["loggedIn"], status["profiles"][0]["valid"]) == (False, False)


def test_logout_ends_the_session_and_deletes_the_caches(logged_in):
    """Logout calls the portal, deletes the token and the role cache; export then needs a login."""
    logged_in.export()
    logged_in.ok("logout", "--profile", "dev")
    assert logged_in.emu.calls("Logout") == 1
    assert not [p for p in logged_in.sso_cache.glob("*.json") if "accessToken" in p.read_text()]
    assert list(logged_in.cli_cache.glob("*.json")) == []
    assert logged_in.run("export", "--profile", "dev").returncode == 3


@pytest.mark.parametrize("which", [("--profile", "dev"), ("--all",)], ids=["profile", "all"])
def test_logout_deletes_the_lifetime_notes_of_what_it_deleted(logged_in, which):
    """No note about a deleted token or credential set outlives it."""
    logged_in.export()
    notes = logged_in.home / ".aws" / "devcreds" / "lifetimes"
    assert len(list(notes.iterdir())) == 2  # the token and the role credentials
    logged_in.ok("logout", *which)
    assert list(notes.iterdir()) == []


def test_logout_keeps_the_client_registration(logged_in):
    """The registration stays, as with aws sso logout: the next login registers nothing."""
    logged_in.ok("logout", "--sso-session", "corp")
    logged_in.ok("login", "--profile", "dev", "--use-device-code")
    assert logged_in.emu.calls("RegisterClient") == 1


def test_logout_all_removes_every_sso_cache(logged_in):
    """--all deletes every token and every SSO role cache, leaving other cache files."""
    logged_in.export()
    other = logged_in.cli_cache / "assume-role.json"
    other.write_text('{"Credentials": {}, "ProviderType": "assume-role"}')
    logged_in.ok("logout", "--all")
    assert [p.name for p in logged_in.cli_cache.glob("*.json")] == ["assume-role.json"]
    assert [p for p in logged_in.sso_cache.glob("*.json") if "accessToken" in p.read_text()] == []
    assert logged_in.emu.calls("Logout") == 1


def test_logout_when_the_server_is_gone_still_logs_out_locally(logged_in):
    """An unreachable portal gives a warning; the local caches are deleted anyway."""
    logged_in.export()
    completed = logged_in.run("logout", "--profile", "dev", AWS_ENDPOINT_URL="http://127.0.0.1:9")
    assert completed.returncode == 0
    assert "warning: could not end the session" in completed.stderr
    assert list(logged_in.cli_cache.glob("*.json")) == []


@pytest.mark.parametrize(
    "args", [("--all", "--profile", "dev"), ("--sso-session", "corp", "--all")]
)
def test_logout_conflicting_options(logged_in, args):
    """Two targets at once is a usage error."""
    assert logged_in.run("logout", *args).returncode == 2


def test_logout_with_a_folder_in_place_of_a_cache_file_is_one_error(logged_in):
    """A folder where the token file should be: exit 6 naming it, no traceback."""
    (token,) = [p for p in logged_in.sso_cache.glob("*.json") if "accessToken" in p.read_text()]
    token.unlink()
    token.mkdir()
    completed = logged_in.run("logout", "--profile", "dev")
    assert completed.returncode == 6, completed.stderr
    assert str(token) in completed.stderr
    assert "Traceback" not in completed.stderr
