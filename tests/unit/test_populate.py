"""The populate plan (``devcreds.populate``): names, collisions, what is never touched, what
a rerun and ``--prune`` change, and that hand-written bytes survive."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest
from botocore.configloader import load_config

from devcreds import awsconfig, inifile, populate
from devcreds.errors import AwsRefused, UsageError
from devcreds.listing import Failure, Listing, Role

SAMPLES = Path(__file__).parents[1] / "samples" / "ini"
SESSION = (
    "[sso-session corp]\nsso_start_url = https://d-1234567890.awsapps.com/start\n"
    "sso_region = eu-west-1\n"
)
ROLES = [
    Role("111111111111", "dev", "Developer"),
    Role("111111111111", "dev", "ReadOnly"),
    Role("222222222222", "prod", "ReadOnly"),
]


def _listing(roles=ROLES, failures=()) -> Listing:
    accounts = len({r.account_id for r in roles}) + len(failures)
    return Listing(list(roles), accounts, calls=0, retries=0, failures=list(failures))


def _run(path: Path, listing: Listing | None = None, **options) -> populate.Plan:
    """Plan and write as the command does; the plan is returned."""
    config = awsconfig.load(path)
    options.setdefault("region", "eu-west-1")
    options.setdefault("region_given", False)
    plan = populate.plan(config, inifile.commented(path), "corp", listing or _listing(), **options)
    populate.write(plan)
    return plan


@pytest.fixture
def config(tmp_path) -> Path:
    path = tmp_path / "config"
    path.write_text(SESSION)
    return path


def test_names_follow_the_template_and_are_made_safe():
    roles = [Role("111111111111", "Dev Team (EU)", "Power/User"), Role("2" * 12, "", "Admin")]
    assert populate.names(roles, populate.DEFAULT_TEMPLATE, "eu-west-1", "corp") == {
        roles[0]: "Dev-Team-EU-Power-User",
        roles[1]: "222222222222-Admin",  # no account name: its id
    }
    named = populate.names(roles, "{sso_session}.{account_id}.{region}", "eu-west-1", "corp")
    assert named[roles[0]] == "corp.111111111111.eu-west-1"


def test_collisions_are_resolved_the_same_way_in_any_order():
    """Two accounts named alike: the lower id keeps the name, the other gets its id."""
    roles = [
        Role("333333333333", "shared", "Dev"),
        Role("111111111111", "shared", "Dev"),
        Role("222222222222", "shared", "Dev"),
        Role("444444444444", "shared", "Dev-222222222222"),  # takes what a suffix would make
    ]
    expected = {
        roles[1]: "shared-Dev",
        roles[2]: "shared-Dev-222222222222-2",
        roles[0]: "shared-Dev-333333333333",
        roles[3]: "shared-Dev-222222222222",
    }
    for _ in range(5):
        random.shuffle(roles)
        assert populate.names(roles, populate.DEFAULT_TEMPLATE, "r", "corp") == expected


def test_a_template_never_makes_the_default_profile():
    role = Role("111111111111", "x", "default")
    assert populate.names([role], "{role_name}", "r", "corp") == {role: "default-111111111111"}


@pytest.mark.parametrize(
    "template", ["{account}", "{role_name!r}", "{role_name:>9}", "{role_name", "static", "{}"]
)
def test_a_bad_template_is_a_usage_error(template):
    with pytest.raises(UsageError) as raised:
        populate.check_template(template)
    assert "{account_name}" in (raised.value.hint or "")


def test_generated_profiles_are_what_botocore_and_devcreds_read(config):
    plan = _run(config)
    assert plan.added == ["dev-Developer", "dev-ReadOnly", "prod-ReadOnly"]
    profiles = load_config(str(config))["profiles"]
    assert profiles["prod-ReadOnly"] == {
        "sso_session": "corp",
        "sso_account_id": "222222222222",
        "sso_role_name": "ReadOnly",
        "region": "eu-west-1",
        "devcreds_populated": "corp",
    }
    sso = awsconfig.sso_profile(awsconfig.load(config), "dev-ReadOnly")
    assert (sso.account_id, sso.role_name, sso.session.name) == ("111111111111", "ReadOnly", "corp")


def test_a_rerun_with_nothing_new_plans_nothing(config):
    _run(config)
    before = config.read_bytes()
    plan = _run(config)
    assert plan.empty
    assert (plan.unchanged, plan.added, plan.updated) == (3, [], [])
    assert config.read_bytes() == before


def test_a_region_set_by_hand_stays_unless_region_is_given(config):
    _run(config)
    config.write_text(
        config.read_text().replace(
            "region = eu-west-1\ndevcreds", "region = us-west-2\ndevcreds", 1
        )
    )
    assert _run(config).empty
    plan = _run(config, region="eu-central-1", region_given=True)
    assert plan.updated == ["dev-Developer", "dev-ReadOnly", "prod-ReadOnly"]
    assert {p["region"] for n, p in load_config(str(config))["profiles"].items()} == {
        "eu-central-1"
    }


def test_a_hand_written_profile_of_the_same_name_is_left_and_reported(config):
    hand = (
        "\n[profile dev-ReadOnly]\n# mine\nrole_arn = arn:aws:iam::1:role/x\nsource_profile = a\n"
    )
    config.write_text(SESSION + hand)
    plan = _run(config)
    assert [s.profile for s in plan.skipped] == ["dev-ReadOnly"]
    assert "by hand" in plan.skipped[0].reason
    assert config.read_text().startswith(SESSION + hand)
    assert "dev-ReadOnly" not in plan.added


def test_another_sessions_profiles_are_not_touched(config):
    other = "\n[profile dev-Developer]\nsso_session = other\nsso_account_id = 9\nsso_role_name = X\ndevcreds_populated = other\n"
    config.write_text(SESSION + other)
    plan = _run(config, prune=True)
    assert [s.profile for s in plan.skipped] == ["dev-Developer"]
    assert "sso-session other" in plan.skipped[0].reason
    assert load_config(str(config))["profiles"]["dev-Developer"]["sso_account_id"] == "9"


def test_prune_removes_exactly_the_generated_profiles_of_lost_roles(config):
    config.write_text(SESSION + "\n[profile mine]\nregion = us-east-1\n")
    _run(config)
    plan = _run(config, _listing(ROLES[:1]), prune=True)
    assert plan.removed == ["dev-ReadOnly", "prod-ReadOnly"]
    assert set(load_config(str(config))["profiles"]) == {"mine", "dev-Developer"}


def test_without_prune_profiles_of_lost_roles_are_only_reported(config):
    _run(config)
    plan = _run(config, _listing(ROLES[:1]))
    assert plan.empty
    assert plan.stale == ["dev-ReadOnly", "prod-ReadOnly"]


def test_prune_keeps_the_profiles_of_accounts_that_could_not_be_listed(config):
    _run(config)
    failed = Failure("222222222222", "prod", AwsRefused("throttled"))
    plan = _run(config, _listing(ROLES[:2], [failed]), prune=True)
    assert plan.removed == []
    assert "prod-ReadOnly" in load_config(str(config))["profiles"]


@pytest.mark.parametrize(
    ("edit", "kept_because"),
    [("# keep this one\n", "a comment"), ("output = json\n", "keys of yours (output)")],
)
def test_prune_keeps_a_generated_profile_a_person_wrote_in(config, edit, kept_because):
    _run(config)
    text = config.read_text()
    at = text.index("[profile prod-ReadOnly]\n") + len("[profile prod-ReadOnly]\n")
    config.write_text(text[:at] + edit + text[at:])
    plan = _run(config, _listing(ROLES[:2]), prune=True)
    assert plan.removed == []
    assert [(s.profile, kept_because in s.reason) for s in plan.skipped] == [
        ("prod-ReadOnly", True)
    ]


@pytest.mark.parametrize(
    "sample",
    ["aws__aws-cli__aws_config", "aws__aws-cli__aws_config_nested", "synthetic__aws_config_crlf"],
)
def test_hand_written_bytes_survive_populate_and_prune(tmp_path, sample):
    """Comments, CRLF, nested blocks and quoted names stay byte for byte; pruning every
    generated profile gives the file back (with the final line break an append needs)."""
    path = tmp_path / "config"
    shutil.copyfile(SAMPLES / sample, path)
    original = path.read_bytes()
    with path.open("ab") as extra:
        extra.write(SESSION.replace("\n", "\r\n" if b"\r\n" in original else "\n").encode())
    with_session = path.read_bytes()
    _run(path)
    assert path.read_bytes().startswith(with_session)
    assert len(_run(path, _listing([]), prune=True).removed) == 3
    assert path.read_bytes() == with_session
