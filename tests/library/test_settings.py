"""ClientSettings: validation with the setting and its source named; env and .env."""

from __future__ import annotations

import pytest

from devcreds import ClientSettings, SettingsError


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("region", "moon-1"),
        ("role_arn", "arn:aws:iam::111:role/x"),
        ("role_arn", "arn:aws:iam::111111111111:user/App"),
        ("role_session_name", "a"),
        ("role_session_name", "x" * 65),
        ("role_session_name", "has space"),
        ("external_id", "a"),
        ("duration_seconds", 899),
        ("duration_seconds", 43201),
        ("endpoint_url", "ftp://x"),
    ],
)
def test_bad_argument_names_the_setting_and_source(name, value):
    """Every setting is checked; the error names it and says it came from an argument."""
    with pytest.raises(SettingsError) as exc:
        ClientSettings(**{name: value})
    assert exc.value.message.startswith(f"setting {name} (argument)")
    assert exc.value.hint.startswith(f"{name} must be")
    assert exc.value.exit_code == 2


def test_external_id_is_not_echoed():
    """An external id may be a shared secret: the error does not repeat it."""
    with pytest.raises(SettingsError) as exc:
        ClientSettings(external_id="x")
    assert "'x'" not in exc.value.message


def test_settings_from_the_environment(monkeypatch, tmp_path):
    """DEVCREDS_* variables fill the settings."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DEVCREDS_REGION", "eu-west-1")
    monkeypatch.setenv("DEVCREDS_ROLE_ARN", "arn:aws:iam::111111111111:role/App")
    monkeypatch.setenv("DEVCREDS_DURATION_SECONDS", "1800")
    settings = ClientSettings()
    assert (settings.region, settings.role_arn, settings.duration_seconds) == (
        "eu-west-1",
        "arn:aws:iam::111111111111:role/App",
        1800,
    )
    assert settings.use_default_credentials is False


def test_settings_from_a_dotenv_file(monkeypatch, tmp_path):
    """A .env file in the working folder fills the settings; arguments win over it."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("DEVCREDS_REGION=ap-south-1\nDEVCREDS_PROFILE=dev\nOTHER=1\n")
    assert (ClientSettings().region, ClientSettings().profile) == ("ap-south-1", "dev")
    assert ClientSettings(region="us-east-2").region == "us-east-2"


def test_bad_environment_value_names_the_variable(monkeypatch, tmp_path):
    """A bad value from the environment is reported with the variable's name."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DEVCREDS_REGION", "nowhere")
    with pytest.raises(SettingsError) as exc:
        ClientSettings()
    assert "environment variable DEVCREDS_REGION" in exc.value.message


def test_bad_dotenv_value_names_the_file(monkeypatch, tmp_path):
    """A bad value from .env says so."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("DEVCREDS_DURATION_SECONDS=5\n")
    with pytest.raises(SettingsError) as exc:
        ClientSettings()
    assert ".env file (DEVCREDS_DURATION_SECONDS)" in exc.value.message


def test_no_role_means_the_default_chain(monkeypatch, tmp_path):
    """Without a role the default credential chain is used, as in the seed."""
    monkeypatch.chdir(tmp_path)
    assert ClientSettings().use_default_credentials is True


def test_settings_are_frozen():
    """Settings cannot change after they are made (they key the shared credentials)."""
    settings = ClientSettings(region="eu-west-1")
    with pytest.raises(Exception):  # noqa: B017, PT011 - pydantic's frozen-instance error
        settings.region = "us-east-1"
