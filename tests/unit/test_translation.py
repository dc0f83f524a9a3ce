"""botocore's exceptions become devcreds errors by kind: usage, throttling, network."""

from __future__ import annotations

import datetime as dt

import botocore.retries.standard
import pytest
from botocore.stub import Stubber

from devcreds.awsconfig import RoleHop
from devcreds.cache import Registration, RoleCredentials
from devcreds.credentials import Resolver
from devcreds.errors import AwsRefused, NetworkError, UsageError
from devcreds.paths import Paths
from devcreds.sso.clients import (
    NETWORK_HINT,
    THROTTLE_HINT,
    ClientFactory,
    Refused,
    call,
    translating,
)
from devcreds.sso.oidc import Oidc, Poll
from devcreds.sso.portal import Portal
from tests.support import START_URL, device_login, register

ROLE_ARN = "arn:aws:iam::222222222222:role/Deploy"
SECRET_EXTERNAL_ID = "sekrit-ext-4711"


def _now():
    return dt.datetime.now(dt.UTC)


def _fake_source():
    return RoleCredentials("ASIAFAKE", "secret", "token", _now() + dt.timedelta(hours=1))


def _hop(**fields):
    values = {
        "name": "deploy",
        "role_arn": ROLE_ARN,
        "source_profile": "dev",
        "role_session_name": None,
        "external_id": None,
        "duration_seconds": None,
        "region": None,
        **fields,
    }
    return RoleHop(**values)


def _at(emu, monkeypatch):
    """Point every client at ``emu`` and make botocore's backoff between retries 0."""
    monkeypatch.setenv("AWS_ENDPOINT_URL", emu.url)
    monkeypatch.setattr(
        botocore.retries.standard.ExponentialBackoff, "delay_amount", lambda self, context: 0
    )
    return emu


@pytest.fixture
def resolver(tmp_path):
    paths = Paths(tmp_path, tmp_path / "config", tmp_path / "credentials")
    return Resolver(paths, ClientFactory(), _now)


def _assume(resolver, hop, monkeypatch, url="http://127.0.0.1:9"):
    monkeypatch.setenv("AWS_ENDPOINT_URL", url)
    return resolver._assumed(hop, _fake_source(), "us-east-1", "devcreds login --profile dev")


@pytest.mark.parametrize(
    ("fields", "key"),
    [
        ({"role_arn": "Deploy"}, "role_arn"),
        ({"external_id": "§"}, "external_id"),
        ({"role_session_name": "a"}, "role_session_name"),
    ],
)
def test_bad_assume_role_parameter_is_a_usage_error_naming_the_key(
    resolver, monkeypatch, fields, key
):
    """A role_arn, external_id or role_session_name STS would reject is exit 2 naming the key."""
    with pytest.raises(UsageError) as caught:
        _assume(resolver, _hop(**fields), monkeypatch)
    assert caught.value.exit_code == 2
    assert f"{key} is too short" in caught.value.message
    assert caught.value.hint == f"fix {key} in [profile deploy] of the AWS config file"
    assert "§" not in caught.value.message


def test_usage_error_never_echoes_the_external_id(resolver, monkeypatch):
    """A bad role_arn next to an external id: the message names role_arn, not the id's value."""
    with pytest.raises(UsageError) as caught:
        _assume(resolver, _hop(role_arn="Deploy", external_id=SECRET_EXTERNAL_ID), monkeypatch)
    assert "role_arn" in caught.value.message
    assert SECRET_EXTERNAL_ID not in f"{caught.value.message} {caught.value.hint}"


def test_a_mistyped_external_id_is_named_without_its_value(monkeypatch):
    """Even botocore's type error, which prints the value, reaches the user as the key only."""
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
    sts = ClientFactory().signed("sts", "us-east-1", _fake_source())
    with pytest.raises(UsageError) as caught:
        call(
            sts,
            "assume_role",
            "assuming it",
            RoleArn=ROLE_ARN,
            RoleSessionName="ab",
            ExternalId=47114711,
        )
    assert "external_id has the wrong type" in caught.value.message
    assert "47114711" not in caught.value.message


def test_duration_below_the_minimum_names_duration_seconds(monkeypatch):
    """DurationSeconds under 900 is a usage error about duration_seconds."""
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
    sts = ClientFactory().signed("sts", "us-east-1", _fake_source())
    with pytest.raises(UsageError) as caught:
        call(
            sts,
            "assume_role",
            "assuming it",
            RoleArn=ROLE_ARN,
            RoleSessionName="ab",
            DurationSeconds=60,
        )
    assert "duration_seconds is too small (at least 900)" in caught.value.message


def test_the_caller_can_name_the_config_section(monkeypatch):
    """With config_section, the hint names the section: fix role_arn in [profile deploy]."""
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
    sts = ClientFactory().signed("sts", "us-east-1", _fake_source())
    with pytest.raises(UsageError) as caught:
        call(
            sts,
            "assume_role",
            "assuming Deploy",
            config_section="profile deploy",
            RoleArn="Deploy",
            RoleSessionName="ab",
        )
    assert caught.value.hint == "fix role_arn in [profile deploy] of the AWS config file"
    assert caught.value.message.startswith("assuming Deploy: in [profile deploy] of")


def test_a_parameter_not_from_the_config_file_is_called_a_bug(monkeypatch):
    """An unknown parameter is devcreds' own mistake, and the hint says so."""
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
    sts = ClientFactory().signed("sts", "us-east-1", _fake_source())
    with pytest.raises(UsageError) as caught:
        call(sts, "get_caller_identity", "asking who", Bogus=1)
    assert "parameter Bogus" in caught.value.message
    assert "devcreds bug" in (caught.value.hint or "")


def test_throttled_registration_is_aws_refused_with_the_throttle_hint(start_emulator, monkeypatch):
    """RegisterClient throttled (SSO OIDC answers SlowDownException, 400, not retried by
    botocore): exit 4, "retry in a minute"."""
    emu = start_emulator(throttle_rps=1)
    _at(emu, monkeypatch)
    oidc = Oidc(ClientFactory().client("sso-oidc", "us-east-1"))
    oidc.register("first", None, _now())  # takes the bucket's only token
    with pytest.raises(AwsRefused) as caught:
        oidc.register("second", None, _now())
    assert caught.value.exit_code == 4
    assert caught.value.hint == THROTTLE_HINT
    assert "SlowDownException" in caught.value.message
    assert emu.calls("RegisterClient") == 2  # the service's own answer: no retry


def test_throttled_portal_call_gets_the_throttle_hint_not_the_network_hint(
    start_emulator, monkeypatch
):
    """GetRoleCredentials throttled after retries is AwsRefused with the throttle hint."""
    emu = start_emulator(throttle_rps=3)
    _at(emu, monkeypatch)
    token = device_login(emu)["accessToken"]  # three calls: the bucket is empty now
    portal = Portal(ClientFactory().client("sso", "us-east-1"), "devcreds login --profile dev")
    with pytest.raises(AwsRefused) as caught:
        portal.role_credentials(token, "111111111111", "Developer")
    assert caught.value.hint == THROTTLE_HINT


def test_throttled_assume_role_gets_the_throttle_hint(start_emulator, resolver, monkeypatch):
    """STS's Throttling (a 400) after retries is AwsRefused with the throttle hint."""
    emu = start_emulator(throttle_rps=4)
    _at(emu, monkeypatch)
    token = device_login(emu)["accessToken"]
    portal = Portal(ClientFactory().client("sso", "us-east-1"), "devcreds login --profile dev")
    source = portal.role_credentials(token, "111111111111", "Developer")  # the 4th and last
    with pytest.raises(AwsRefused) as caught:
        resolver._assumed(_hop(), source, "us-east-1", "devcreds login --profile dev")
    assert "Throttling" in caught.value.message
    assert caught.value.hint == THROTTLE_HINT


def test_a_throttled_device_poll_slows_down(start_emulator, monkeypatch):
    """SSO OIDC throttles a poll with slow_down: the poll slows down, no error, no login hint."""
    emu = start_emulator(throttle_rps=2)
    _at(emu, monkeypatch)
    oidc = Oidc(ClientFactory().client("sso-oidc", "us-east-1"))
    registration = oidc.register("poller", None, _now())
    device = oidc.start_device_authorization(registration, START_URL)
    assert oidc.poll_device(registration, device, "devcreds login --profile dev") is Poll.SLOW_DOWN


def test_slow_down_in_the_device_poll_is_still_a_normal_answer(emu, monkeypatch):
    """SlowDownException while polling is Poll.SLOW_DOWN, not an error."""
    _at(emu, monkeypatch)
    oidc = Oidc(ClientFactory().client("sso-oidc", "us-east-1"))
    client = register(emu.client("sso-oidc"))
    registration = Registration(
        client["clientId"], client["clientSecret"], _now() + dt.timedelta(days=1), None
    )
    device = oidc.start_device_authorization(registration, START_URL)
    assert oidc.poll_device(registration, device, "hint") is Poll.PENDING
    assert oidc.poll_device(registration, device, "hint") is Poll.SLOW_DOWN  # clock did not move


def test_slow_down_outside_the_device_poll_is_throttling():
    """SlowDownException anywhere else (a refresh) reads as throttling."""
    error = Refused("SlowDownException", "Client is polling too fast.", "renewing the token")
    assert error.throttled
    assert error.as_error(hint="devcreds login --profile dev").hint == THROTTLE_HINT


def test_http_429_with_an_unknown_code_is_throttling():
    """Status 429 is throttling whatever error code came with it."""
    oidc = ClientFactory().client("sso-oidc", "us-east-1")
    with Stubber(oidc) as stub:
        stub.add_client_error("register_client", service_error_code="Odd", http_status_code=429)
        with pytest.raises(Refused) as caught, translating("registering the client"):
            oidc.register_client(clientName="x", clientType="public")
    assert caught.value.status == 429
    assert caught.value.as_error().hint == THROTTLE_HINT


def test_other_refusals_keep_the_callers_hint():
    """A refusal that is not throttling keeps the hint its caller chose."""
    error = Refused("AccessDenied", "no", "assuming it", status=403)
    assert not error.throttled
    assert error.as_error(hint="check the trust policy").hint == "check the trust policy"


def test_nothing_listening_is_a_network_error(monkeypatch):
    """A refused connection is NetworkError (exit 5) with the network hint."""
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
    oidc = ClientFactory().client("sso-oidc", "us-east-1")
    with pytest.raises(NetworkError) as caught:
        call(oidc, "register_client", "registering the client", clientName="x", clientType="public")
    assert (caught.value.exit_code, caught.value.hint) == (5, NETWORK_HINT)


def test_bad_region_for_a_client_is_a_usage_error():
    """A region botocore rejects (a hop's region = eu west 1) is exit 2, not a traceback."""
    with pytest.raises(UsageError) as caught:
        ClientFactory().signed("sts", "eu west 1", _fake_source())
    assert "'eu west 1' is not an AWS region" in caught.value.message


@pytest.mark.parametrize("url", ["not-a-url", "http://[::1"])
def test_unusable_endpoint_url_is_a_usage_error(monkeypatch, url):
    """An AWS_ENDPOINT_URL botocore cannot use is exit 2 naming the setting."""
    monkeypatch.setenv("AWS_ENDPOINT_URL", url)
    with pytest.raises(UsageError) as caught:
        ClientFactory().client("sso-oidc", "us-east-1")
    assert "AWS_ENDPOINT_URL" in (caught.value.hint or "")
