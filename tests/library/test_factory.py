"""create_session / create_client against the emulator's STS and moto, over real sockets."""

from __future__ import annotations

import pytest

from devcreds import ClientSettings, create_client, create_session
from devcreds.errors import AwsRefused, NetworkError

ROLE = "arn:aws:iam::222222222222:role/App"


def _settings(emu, **values):
    return ClientSettings(role_arn=ROLE, region="us-east-1", endpoint_url=emu.url, **values)


def test_hundred_clients_make_one_assume_role(sso_source, clock):
    """100 clients from equal settings share one set of assumed-role credentials."""
    settings = _settings(sso_source, role_session_name="hundred")
    arns = {
        create_client("sts", settings, clock=clock).get_caller_identity()["Arn"] for _ in range(100)
    }
    assert arns == {"arn:aws:sts::222222222222:assumed-role/App/hundred"}
    assert sso_source.calls("AssumeRole") == 1


def test_sessions_share_the_credentials_too(sso_source, clock):
    """create_session and create_client with equal settings use the same credentials."""
    settings = _settings(sso_source, role_session_name="shared")
    create_client("sts", settings, clock=clock).get_caller_identity()
    create_session(settings, clock=clock).client(
        "sts", endpoint_url=sso_source.url
    ).get_caller_identity()
    assert sso_source.calls("AssumeRole") == 1


def test_credentials_refresh_before_they_expire(sso_source, clock):
    """Close to expiry the next call assumes the role again, without the caller noticing."""
    client = create_client("sts", _settings(sso_source, duration_seconds=900), clock=clock)
    first = client.get_caller_identity()["UserId"]
    clock.advance(900 - 5 * 60)  # inside botocore's mandatory refresh window
    assert client.get_caller_identity()["UserId"] == first
    assert sso_source.calls("AssumeRole") == 2


def test_different_settings_assume_separately(sso_source, clock):
    """Another session name is another set of credentials."""
    create_client(
        "sts", _settings(sso_source, role_session_name="one"), clock=clock
    ).get_caller_identity()
    create_client(
        "sts", _settings(sso_source, role_session_name="two"), clock=clock
    ).get_caller_identity()
    assert sso_source.calls("AssumeRole") == 2


def test_external_id_and_duration_are_sent(sso_source, clock):
    """external_id and duration_seconds reach AssumeRole: the session records both."""
    settings = _settings(
        sso_source, external_id="shared-id", duration_seconds=1800, role_session_name="extdur"
    )
    key = (
        create_session(settings, clock=clock).get_credentials().get_frozen_credentials().access_key
    )
    issued = sso_source.emulator.state.credentials[key]
    assert (issued.external_id, issued.expires_at - sso_source.clock.now) == ("shared-id", 1800)


def test_access_denied_is_a_devcreds_error(sso_source, clock):
    """A role STS refuses gives AwsRefused with a hint, not a botocore traceback."""
    settings = ClientSettings(
        role_arn="arn:aws:iam::999999999999:role/App",
        region="us-east-1",
        endpoint_url=sso_source.url,
    )
    with pytest.raises(AwsRefused) as exc:
        create_client("sts", settings, clock=clock).get_caller_identity()
    assert "AccessDenied" in exc.value.message
    assert exc.value.hint


def test_expired_source_credentials(sso_source, clock, monkeypatch):
    """Source credentials STS no longer accepts give AwsRefused naming the cause."""
    monkeypatch.setenv("AWS_SESSION_TOKEN", "forged")
    with pytest.raises(AwsRefused) as exc:
        create_client("sts", _settings(sso_source), clock=clock).get_caller_identity()
    assert "expired or invalid" in exc.value.message


def test_sts_unreachable_is_a_network_error(sso_source, clock):
    """Nothing listening where STS should be: NetworkError with a hint."""
    settings = ClientSettings(role_arn=ROLE, region="us-east-1", endpoint_url="http://127.0.0.1:9")
    with pytest.raises(NetworkError):
        create_client("sts", settings, clock=clock).get_caller_identity()


def test_s3_through_an_assumed_role_on_moto(moto_env):
    """Against moto's STS and S3: assume a role, create and list a bucket."""
    settings = ClientSettings(
        role_arn="arn:aws:iam::111111111111:role/App",
        region="us-east-1",
        endpoint_url=moto_env,
        role_session_name="moto",
    )
    s3 = create_client("s3", settings)
    s3.create_bucket(Bucket="devcreds-assumed")
    assert "devcreds-assumed" in [b["Name"] for b in s3.list_buckets()["Buckets"]]


def test_s3_with_default_credentials_on_moto(moto_env):
    """use_default_credentials: the default chain (here the environment) signs S3 calls."""
    settings = ClientSettings(
        use_default_credentials=True, region="us-east-1", endpoint_url=moto_env
    )
    s3 = create_client("s3", settings)
    s3.create_bucket(Bucket="devcreds-default")
    assert "devcreds-default" in [b["Name"] for b in s3.list_buckets()["Buckets"]]
    assert create_session(settings).get_credentials().access_key == "AKIAMOTOEXAMPLE00000"


def test_no_source_credentials_is_a_usage_error(emu, clock):
    """With nothing in the default chain, the error says so (not 'cannot reach STS')."""
    from devcreds import SettingsError  # noqa: F401 - the public error tree is UsageError-based
    from devcreds.errors import UsageError

    settings = ClientSettings(
        role_arn=ROLE, region="us-east-1", endpoint_url=emu.url, role_session_name="nocreds"
    )
    with pytest.raises(UsageError) as exc:
        create_client("sts", settings, clock=clock).get_caller_identity()
    assert "no credentials" in exc.value.message


def test_external_id_is_not_in_the_repr():
    """repr(settings) does not show the external id."""
    assert "secret-ext" not in repr(ClientSettings(external_id="secret-ext"))


def test_a_named_source_profile_with_a_role_works(emu, clock, tmp_path, monkeypatch):
    """profile= and role_arn= together: the profile's keys assume the role (no botocore crash)."""
    from tests.support import device_login

    token = device_login(emu)["accessToken"]
    creds = emu.client("sso").get_role_credentials(
        accessToken=token, accountId="111111111111", roleName="Developer"
    )["roleCredentials"]
    credentials_file = tmp_path / "credentials"
    credentials_file.write_text(
        f"[src]\naws_access_key_id = {creds['accessKeyId']}\n"
        f"aws_secret_access_key = {creds['secretAccessKey']}\n"
        f"aws_session_token = {creds['sessionToken']}\n"
    )
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(credentials_file))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    settings = _settings(emu, profile="src", role_session_name="named")
    arn = create_client("sts", settings, clock=clock).get_caller_identity()["Arn"]
    assert arn == "arn:aws:sts::222222222222:assumed-role/App/named"


def test_a_session_name_sts_would_not_take_is_a_usage_error(sso_source, clock):
    """botocore's parameter check (a one-letter session name) is a usage error, not the network."""
    from devcreds.errors import UsageError

    settings = _settings(sso_source)
    object.__setattr__(settings, "role_session_name", "x")  # past ClientSettings' own check
    with pytest.raises(UsageError):
        create_client("sts", settings, clock=clock).get_caller_identity()


def test_assumed_role_clients_of_a_thread_come_from_one_warm_session(sso_source, clock):
    """A factory is called per client: the thread's session for these settings is reused
    (a new one loads botocore's models again), and another thread gets its own."""
    import threading

    from devcreds import library

    settings = _settings(sso_source, role_session_name="warm")
    first = library._SESSIONS.get(settings, clock)
    assert library._SESSIONS.get(settings, clock) is first
    other: list[object] = []
    thread = threading.Thread(target=lambda: other.append(library._SESSIONS.get(settings, clock)))
    thread.start()
    thread.join()
    assert other[0] is not first
    assert (
        create_client("sts", settings, clock=clock).get_caller_identity()["Arn"].endswith("/warm")
    )


def test_default_chain_clients_read_the_credentials_file_each_time(tmp_path, monkeypatch):
    """Without a role, every client resolves the chain anew: keys devcreds rewrote into the
    credentials file since the last client are the ones the next one signs with."""
    credentials_file = tmp_path / "credentials"
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(credentials_file))
    monkeypatch.delenv("AWS_ACCESS_KEY_ID", raising=False)
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY", raising=False)
    settings = ClientSettings(use_default_credentials=True, region="us-east-1")
    keys = []
    for key in ("AKIAFIRSTKEY00000000", "AKIASECONDKEY0000000"):
        credentials_file.write_text(
            f"[default]\naws_access_key_id = {key}\naws_secret_access_key = s\n"
        )
        keys.append(create_client("sts", settings)._request_signer._credentials.access_key)
    assert keys == ["AKIAFIRSTKEY00000000", "AKIASECONDKEY0000000"]
