"""``devcreds whoami``: STS GetCallerIdentity with the profile's credentials, and the account
name from a kept listing, never from a listing of its own."""

from __future__ import annotations

import json

import pytest

from devcreds.cli.whoami import role_name
from tests.cli.conftest import Cli, cli_environment
from tests.support import EmulatorFactory


@pytest.fixture(scope="module")
def shared(tmp_path_factory):
    """One logged-in home, with an assumed-role profile, for the tests that change nothing
    in it (every CLI start costs half a second)."""
    factory = EmulatorFactory()
    emu = factory(real_time=True, auto_approve=True)
    home = tmp_path_factory.mktemp("home")
    made = Cli(home, cli_environment(home, emu.url), emu)
    made.configure()
    with made.config.open("a") as config:
        config.write(
            "\n[profile deploy]\nrole_arn = arn:aws:iam::222222222222:role/Deploy\n"
            "source_profile = dev\nrole_session_name = alice\n"
        )
    made.ok("login", "--profile", "dev", "--use-device-code", "--no-browser")
    yield made
    factory.close()


def _issued(cli, account_id):
    """What the emulator issued for ``account_id``: the ARN and user id STS names."""
    (issued,) = [
        c for c in cli.emu.emulator.state.credentials.values() if c.account_id == account_id
    ]
    return issued


def test_whoami_shows_account_role_arn_and_user_id(shared):
    """One short block: profile, account, role (the permission set), ARN and user id."""
    completed = shared.run("whoami", "--profile", "dev")
    assert completed.returncode == 0, completed.stderr
    issued = _issued(shared, "111111111111")
    assert completed.stdout.splitlines() == [
        "profile  dev",
        "account  111111111111",
        "role     Developer",
        f"arn      {issued.arn}",
        f"user id  {issued.user_id}",
    ]


def test_whoami_json_is_the_caller_identity_and_more(shared):
    """--json: Account, Arn and UserId as the AWS CLI names them, plus Profile, RoleName and
    AccountName (null without a kept listing)."""
    before = shared.emu.calls("ListAccounts")
    identity = json.loads(shared.ok("whoami", "--profile", "dev", "--json"))
    issued = _issued(shared, "111111111111")
    assert identity == {
        "Profile": "dev",
        "Account": "111111111111",
        "AccountName": None,
        "RoleName": "Developer",
        "Arn": issued.arn,
        "UserId": issued.user_id,
    }
    assert shared.emu.calls("ListAccounts") == before  # whoami never lists by itself


def test_an_assumed_role_profile_is_that_role(shared):
    """A profile assuming a role from the SSO profile is the assumed role's session."""
    identity = json.loads(shared.ok("whoami", "--profile", "deploy", "--json"))
    assert (identity["Account"], identity["RoleName"], identity["Arn"]) == (
        "222222222222",
        "Deploy",
        "arn:aws:sts::222222222222:assumed-role/Deploy/alice",
    )


def test_a_kept_listing_names_the_account(logged_in):
    """After devcreds roles has kept a listing, whoami shows the account's name too, without
    a listing call of its own."""
    logged_in.ok("roles", "--profile", "dev", "--json")
    listed = logged_in.emu.calls("ListAccounts")
    identity = json.loads(logged_in.ok("whoami", "--profile", "dev", "--json"))
    human = logged_in.ok("whoami", "--profile", "dev")
    assert identity["AccountName"] == "dev"
    assert "account  111111111111 (dev)\n" in human
    assert logged_in.emu.calls("ListAccounts") == listed


def test_logged_out_off_a_terminal_is_exit_3_with_the_login_hint(cli):
    """Not logged in and no terminal: exit 3 and the login hint, no STS call."""
    completed = cli.run("whoami", "--profile", "dev")
    assert completed.returncode == 3
    assert completed.stderr.splitlines() == [
        "error: not logged in to corp",
        "hint: devcreds login --profile dev",
    ]
    assert cli.emu.calls("GetCallerIdentity") == 0


@pytest.mark.parametrize(
    ("arn", "role"),
    [
        (
            "arn:aws:sts::111111111111:assumed-role/AWSReservedSSO_Admin_Access_0123456789abcdef/a",
            "Admin_Access",
        ),
        ("arn:aws-us-gov:sts::111111111111:assumed-role/Deploy/alice", "Deploy"),
        (
            "arn:aws:sts::111111111111:assumed-role/AWSReservedSSO_NoSuffix/a",
            "AWSReservedSSO_NoSuffix",
        ),
        ("arn:aws:iam::111111111111:user/alice", None),
    ],
)
def test_role_name_of_an_arn(arn, role):
    """The permission set of an IAM Identity Center role, the role of any other session."""
    assert role_name(arn) == role
