"""``devcreds roles`` reads the kept listing first; ``--refresh``, a login and a logout
make it list again."""

from __future__ import annotations

import json
import stat

import pytest


@pytest.fixture
def listed(make_cli):
    """Logged in to an emulator with 8 accounts x 2 roles, roles listed once."""
    cli = make_cli(accounts=8, roles_per_account=2)
    cli.configure()
    cli.ok("login", "--profile", "dev", "--use-device-code")
    first = json.loads(cli.ok("roles", "--profile", "dev", "--json"))
    assert len(first) == 16
    return cli, first


def _kept(cli):
    return list((cli.home / ".aws" / "devcreds" / "listings").glob("*.json"))


def test_a_second_roles_lists_nothing_and_shows_the_same(listed):
    cli, first = listed
    before = cli.emu.calls("ListAccounts"), cli.emu.calls("ListAccountRoles")
    assert json.loads(cli.ok("roles", "--profile", "dev", "--json")) == first
    assert (cli.emu.calls("ListAccounts"), cli.emu.calls("ListAccountRoles")) == before


def test_the_kept_listing_is_private_and_holds_no_token(listed):
    cli, _ = listed
    [path] = _kept(cli)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    [token_file] = [p for p in cli.sso_cache.glob("*.json") if "accessToken" in p.read_text()]
    access_token = json.loads(token_file.read_text())["accessToken"]
    assert access_token not in path.read_text()


def test_refresh_lists_again(listed):
    cli, first = listed
    before = cli.emu.calls("ListAccounts")
    assert json.loads(cli.ok("roles", "--profile", "dev", "--json", "--refresh")) == first
    assert cli.emu.calls("ListAccounts") == before + 1


def test_a_login_makes_the_next_roles_list_again(listed):
    """The person or the directory behind a new login may differ."""
    cli, _ = listed
    cli.ok("login", "--profile", "dev", "--use-device-code")
    assert _kept(cli) == []
    before = cli.emu.calls("ListAccounts")
    cli.ok("roles", "--profile", "dev", "--json")
    assert cli.emu.calls("ListAccounts") == before + 1


@pytest.mark.parametrize("how", [("--profile", "dev"), ("--all",)])
def test_logout_removes_the_kept_listing(listed, how):
    cli, _ = listed
    cli.ok("logout", *how)
    assert _kept(cli) == []
