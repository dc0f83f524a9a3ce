"""Reading the AWS config file as botocore does, and the SSO checks botocore makes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from devcreds import awsconfig
from devcreds.errors import FileError, UsageError

SAMPLES = Path(__file__).parents[1] / "samples" / "ini"

CONFIG = """\
[default]
region = us-east-1

[profile dev]
sso_session = my-sso
sso_account_id = 111111111111
sso_role_name = Developer
region = eu-west-1

[profile "quoted name"]
sso_session = my-sso
sso_account_id = 222222222222
sso_role_name = ReadOnly

[profile legacy]
sso_start_url = https://d-1.awsapps.com/start
sso_region = us-west-2
sso_account_id = 333333333333
sso_role_name = ReadOnly

[profile norole]
sso_session = my-sso
sso_account_id = 111111111111

[profile clash]
sso_session = my-sso
sso_region = eu-central-1
sso_account_id = 111111111111
sso_role_name = Developer

[profile lost]
sso_session = nowhere
sso_account_id = 111111111111
sso_role_name = Developer

[sso-session my-sso]
sso_start_url = https://d-0123456789.awsapps.com/start
sso_region = us-east-1
sso_registration_scopes = sso:account:access, codewhisperer:completions
"""


@pytest.fixture
def config(tmp_path):
    path = tmp_path / "config"
    path.write_text(CONFIG)
    return awsconfig.load(path)


def test_sso_session_profile(config):
    """A profile with sso_session takes start URL, region and scopes from the session."""
    profile = awsconfig.sso_profile(config, "dev")
    assert (profile.session.name, profile.session.start_url, profile.session.region) == (
        "my-sso",
        "https://d-0123456789.awsapps.com/start",
        "us-east-1",
    )
    assert profile.session.scopes == ("sso:account:access", "codewhisperer:completions")
    assert (profile.account_id, profile.role_name, profile.region) == (
        "111111111111",
        "Developer",
        "eu-west-1",
    )


def test_quoted_profile_name(config):
    """[profile "quoted name"] is the profile `quoted name`, as botocore reads it."""
    assert awsconfig.sso_profile(config, "quoted name").account_id == "222222222222"


def test_legacy_profile(config):
    """A profile with its own sso_start_url is a legacy session keyed by the URL."""
    session = awsconfig.sso_profile(config, "legacy").session
    assert (session.name, session.label) == (None, "https://d-1.awsapps.com/start")


@pytest.mark.parametrize(
    ("profile", "message", "hint"),
    [
        ("nobody", "profile nobody is not in", "devcreds configure sso --profile nobody"),
        ("norole", "profile norole lacks sso_role_name", "devcreds configure sso --profile norole"),
        ("clash", "disagree on sso_region", "remove sso_region from [profile clash]"),
        ("lost", "no [sso-session nowhere]", "devcreds configure sso --sso-session nowhere"),
        ("default", "not an IAM Identity Center (SSO) profile", "devcreds configure sso"),
    ],
)
def test_bad_profiles_are_usage_errors_with_a_hint(config, profile, message, hint):
    """Each broken profile gets one message naming it and a hint naming the fix."""
    with pytest.raises(UsageError) as exc:
        awsconfig.sso_profile(config, profile)
    assert message in exc.value.message
    assert hint in (exc.value.hint or "")
    assert exc.value.exit_code == 2


def test_only_complete_sso_profiles_are_listed(config):
    """sso_profiles skips broken and non-SSO profiles."""
    assert [p.name for p in awsconfig.sso_profiles(config)] == ["dev", "quoted name", "legacy"]


def test_missing_file_is_an_empty_config(tmp_path):
    """No config file yet is not an error."""
    assert awsconfig.load(tmp_path / "absent").profiles == {}


@pytest.mark.parametrize(
    "text",
    [
        "region = us-east-1\n[default]\n",
        "[default]\nregion = a\nregion = b\n",
        "[default]\n[default]\n",
        "\ufeff[default]\nregion = us-east-1\n",
        "[default\nregion = x\n",
    ],
)
def test_unparsable_file_is_a_usage_error(tmp_path, text):
    """What botocore cannot parse is one error line naming the file (exit 2)."""
    path = tmp_path / "config"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(UsageError) as exc:
        awsconfig.load(path)
    assert str(path) in exc.value.message
    assert "\n" not in exc.value.message


def test_config_path_that_is_a_folder_is_a_file_error(tmp_path):
    """AWS_CONFIG_FILE naming a folder is a file error (exit 6)."""
    with pytest.raises(FileError) as exc:
        awsconfig.load(tmp_path)
    assert exc.value.exit_code == 6


def test_not_utf8_is_a_file_error(tmp_path):
    """A config file that is not UTF-8 is a file error naming the encoding."""
    path = tmp_path / "config"
    path.write_bytes(b"[default]\nregion = \xff\n")
    with pytest.raises(FileError) as exc:
        awsconfig.load(path)
    assert "UTF-8" in (exc.value.hint or "")


@pytest.mark.parametrize(
    "sample",
    [
        "aws__aws-cli__aws_config",
        "aws__aws-cli__aws_config_nested",
        "aws__aws-cli__aws_services_config",
        "synthetic__aws_config_crlf",
    ],
)
def test_real_samples_load(tmp_path, sample):
    """The AWS CLI's own test configs and the CRLF torture file parse."""
    path = tmp_path / "config"
    shutil.copyfile(SAMPLES / sample, path)
    assert awsconfig.load(path).profiles


ROLE_CONFIG = (
    CONFIG
    + """
[profile hop1]
role_arn = arn:aws:iam::222222222222:role/One
source_profile = dev
region = ap-south-1

[profile hop2]
role_arn = arn:aws:iam::333333333333:role/Two
source_profile = hop1
duration_seconds = 1800

[profile badduration]
role_arn = arn:aws:iam::333333333333:role/Two
source_profile = dev
duration_seconds = 60

[profile tonowhere]
role_arn = arn:aws:iam::333333333333:role/Two
source_profile = missing
"""
)


@pytest.fixture
def role_config(tmp_path):
    path = tmp_path / "config"
    path.write_text(ROLE_CONFIG)
    return awsconfig.load(path)


def test_chain_runs_from_the_sso_role_outward(role_config):
    """hop2's credentials: dev's SSO role, then hop1, then hop2."""
    chain = awsconfig.credential_chain(role_config, "hop2")
    assert (chain.root.name, [hop.name for hop in chain.hops]) == ("dev", ["hop1", "hop2"])
    assert chain.hops[1].duration_seconds == 1800


def test_region_comes_from_the_nearest_hop(role_config):
    """A role profile without region takes it from its source chain."""
    assert awsconfig.profile_region(role_config, "hop2") == "ap-south-1"
    assert awsconfig.profile_region(role_config, "dev") == "eu-west-1"


@pytest.mark.parametrize(
    ("profile", "message"),
    [
        ("badduration", "duration_seconds must be 900 to 43200"),
        ("tonowhere", "profile missing is not in"),
    ],
)
def test_broken_chains_are_usage_errors(role_config, profile, message):
    """A bad duration or a missing source profile is one clear error."""
    with pytest.raises(UsageError) as exc:
        awsconfig.credential_chain(role_config, profile)
    assert message in exc.value.message


def test_bad_sso_region_is_a_usage_error(tmp_path):
    """An sso_region that is not a region is caught before botocore chokes on it."""
    path = tmp_path / "config"
    path.write_text(
        "[sso-session s]\nsso_start_url = https://x.awsapps.com/start\nsso_region = us east\n"
    )
    with pytest.raises(UsageError) as exc:
        awsconfig.sso_session(awsconfig.load(path), "s")
    assert "is not a region" in exc.value.message
