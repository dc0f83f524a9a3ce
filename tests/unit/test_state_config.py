"""Config and credentials files botocore cannot parse: one usage error naming file and line."""

from __future__ import annotations

import pytest

from devcreds import awsconfig
from devcreds.errors import FileError, UsageError

GOOD_CONFIG = "[profile dev]\nregion = eu-west-1\n"

BROKEN = [
    ("[dev\naws_access_key_id = a\n", 1, "not closed with ]"),
    ("[dev]\nregion = a\n[prod\nregion = b\n", 3, "not closed with ]"),
    ("\ufeff[dev]\nregion = a\n", 1, "byte-order mark"),
    ("junk\n[dev]\nregion = a\n", 1, "before the first [section]"),
    ("# a comment\n\nregion = a\n[dev]\n", 3, "before the first [section]"),
    ("[dev]\nregion = a\nno equals sign here\n", 3, "neither a [section] header"),
    ("[dev]\nregion = a\nregion = b\n", 3, "region is set a second time in [dev]"),
    ("[dev]\nregion = a\n\n[dev]\n", 4, "[dev] appears a second time"),
    ("[dev]\ns3 =\n  addressing_style = path\n  junk\n", 4, "indented lines under s3"),
]


@pytest.mark.parametrize(("text", "line", "reason"), BROKEN)
def test_unparsable_config_names_the_file_and_line(tmp_path, text, line, reason):
    """Each kind of parse failure is exit 2 with the file, the line and what is wrong there."""
    path = tmp_path / "config"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(UsageError) as caught:
        awsconfig.load(path)
    error = caught.value
    assert error.exit_code == 2
    assert error.message.startswith(f"cannot parse AWS config file {path}, line {line}: ")
    assert reason in error.message
    assert error.hint == f"fix the file by hand; botocore and the AWS CLI reject it too: {path}"


@pytest.mark.parametrize(("text", "line", "reason"), BROKEN)
def test_unparsable_credentials_file_names_the_file_and_line(tmp_path, text, line, reason):
    """The shared credentials file is held to the same rules and named as what it is."""
    config = tmp_path / "config"
    config.write_text(GOOD_CONFIG)
    credentials = tmp_path / "credentials"
    credentials.write_text(text, encoding="utf-8")
    with pytest.raises(UsageError) as caught:
        awsconfig.load(config, credentials_file=credentials)
    assert caught.value.message.startswith(
        f"cannot parse AWS credentials file {credentials}, line {line}: "
    )
    assert reason in caught.value.message


def test_the_offending_line_is_never_quoted(tmp_path):
    """A key line without = in the credentials file may be a secret: the error leaves it out."""
    config = tmp_path / "config"
    config.write_text(GOOD_CONFIG)
    credentials = tmp_path / "credentials"
    credentials.write_text("[dev]\naws_secret_access_key wJalrXUtnFEMI/K7MDENG\n")
    with pytest.raises(UsageError) as caught:
        awsconfig.load(config, credentials_file=credentials)
    assert "wJalrXUtnFEMI" not in caught.value.message + (caught.value.hint or "")
    assert ", line 2: " in caught.value.message


def test_missing_or_valid_credentials_file_is_fine(tmp_path):
    """No credentials file, or one botocore reads, changes nothing in the config."""
    config = tmp_path / "config"
    config.write_text(GOOD_CONFIG)
    credentials = tmp_path / "credentials"
    assert awsconfig.load(config, credentials_file=credentials).profiles == {
        "dev": {"region": "eu-west-1"}
    }
    credentials.write_text("[dev]\naws_access_key_id = AKIAX\n")
    assert awsconfig.load(config, credentials_file=credentials).profiles == {
        "dev": {"region": "eu-west-1"}
    }


def test_credentials_file_that_is_a_folder_is_a_file_error(tmp_path):
    """A credentials path naming a folder is a file error (exit 6), named as the credentials."""
    config = tmp_path / "config"
    config.write_text(GOOD_CONFIG)
    with pytest.raises(FileError) as caught:
        awsconfig.load(config, credentials_file=tmp_path)
    assert caught.value.message.startswith("cannot read AWS credentials file")


def test_sections_follow_botocores_profile_map(tmp_path):
    """Names split as a shell would, three-word headers skipped, the later default wins,
    nested blocks checked but left out of the values."""
    path = tmp_path / "config"
    path.write_text(
        "[default]\nregion = a\n"
        "[profile 'quoted name']\nregion = q\n"
        "[profile two words]\nregion = skipped\n"
        '[profile "unclosed]\nregion = skipped\n'
        "[profile default]\nregion = b\ns3 =\n  addressing_style = path\n"
        "[sso-session corp]\nsso_region = us-east-1\n"
    )
    config = awsconfig.load(path)
    assert config.profiles == {"default": {"region": "b"}, "quoted name": {"region": "q"}}
    assert config.sso_sessions == {"corp": {"sso_region": "us-east-1"}}
