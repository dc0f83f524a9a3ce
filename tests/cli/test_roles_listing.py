"""``devcreds roles`` through the listing flow: throttling waited out, progress on a terminal
only, and the pick list of ``configure sso`` fed by the same flow."""

from __future__ import annotations

import json
import sys

import pexpect
import pytest
from botocore.configloader import load_config

from tests.support import START_URL


def _throttled(make_cli, accounts: int = 60):
    """A logged-in CLI on an emulator throttling at 20 requests/s."""
    cli = make_cli(accounts=accounts, roles_per_account=2, throttle_rps=20)
    cli.configure()
    cli.ok("login", "--profile", "dev", "--use-device-code")
    return cli


def test_roles_json_under_a_throttle_lists_everything(make_cli):
    """60 accounts x 2 roles at 20 requests/s: all 120 rows, exit 0, nothing on stderr
    (no progress when piped), and the emulator turned calls away (so there were retries)."""
    cli = _throttled(make_cli)
    completed = cli.run("roles", "--profile", "dev", "--json")
    assert completed.returncode == 0, completed.stderr
    assert completed.stderr == ""
    rows = json.loads(completed.stdout)
    assert len(rows) == 120
    assert len({(row["accountId"], row["roleName"]) for row in rows}) == 120
    assert rows[0] == {"accountId": "111111111111", "accountName": "dev", "roleName": "Developer"}
    assert cli.emu.calls("ListAccountRoles") > 60  # some were throttled and sent again


def _on_a_terminal(cli, *args):
    return pexpect.spawn(
        sys.executable, ["-m", "devcreds", *args], env=cli.env, encoding="utf-8", timeout=60
    )


@pytest.mark.posix
def test_roles_on_a_terminal_shows_progress_then_the_table(make_cli):
    """On a terminal a live line counts accounts and calls while it lists."""
    cli = _throttled(make_cli)
    child = _on_a_terminal(cli, "roles", "--profile", "dev")
    child.expect(r"listing roles: \d+/60 accounts, \d+ calls")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert "400000000059" in child.before  # the last account, in the table


@pytest.mark.posix
def test_configure_sso_picks_from_a_throttled_listing(make_cli):
    """configure sso's pick list comes from the same flow: under a throttle it still offers
    every role and writes the one picked."""
    cli = make_cli(accounts=15, roles_per_account=2, throttle_rps=5)
    child = _on_a_terminal(
        cli, "configure", "sso", "--profile", "dev", "--sso-session", "corp",
        "--start-url", START_URL, "--sso-region", "us-east-1",
    )  # fmt: skip
    child.expect("Pick a role")
    child.expect(" 30/30")  # every role offered
    child.send("400000000014 readonly\r")
    child.expect(r"Default region \S*\(us-east-1\)")
    child.sendline("")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    profile = load_config(str(cli.config))["profiles"]["dev"]
    assert (profile["sso_account_id"], profile["sso_role_name"]) == ("400000000014", "ReadOnly")
