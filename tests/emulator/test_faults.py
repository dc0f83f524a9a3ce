"""Fault injection as botocore's retries see it: latency, throttling, 500s, dropped connections."""

from __future__ import annotations

import json

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError, ConnectionClosedError

from tests.support import (
    DEVICE_GRANT,
    START_URL,
    device_login,
    error_code,
    raw_request,
    register,
)

THREE_ATTEMPTS = Config(retries={"total_max_attempts": 3, "mode": "standard"})


def test_latency_delays_every_aws_answer(start_emulator):
    """--latency-ms waits that long before each AWS operation's answer."""
    emu = start_emulator(latency_ms=250)
    register(emu.client("sso-oidc"))
    assert emu.sleeps == [0.25]


def test_latency_spares_the_control_endpoints(start_emulator):
    """Stats and pages answer without the injected delay."""
    emu = start_emulator(latency_ms=250)
    emu.stats()
    raw_request(emu.url, "GET", "/device")
    assert emu.sleeps == []


def _throttled_oidc_call(emu, operation):
    """Make the calls ``operation`` needs, the last one spending the bucket's only token;
    returns ``operation``, ready to be called."""
    oidc = emu.client("sso-oidc", THREE_ATTEMPTS)
    client = register(oidc)
    if operation == "RegisterClient":
        return lambda: register(oidc)
    secret = {"clientId": client["clientId"], "clientSecret": client["clientSecret"]}

    def start():
        return oidc.start_device_authorization(**secret, startUrl=START_URL)

    if operation == "StartDeviceAuthorization":
        return start
    emu.clock.advance(1)  # the bucket refills for StartDeviceAuthorization
    device = start()
    return lambda: oidc.create_token(
        **secret, grantType=DEVICE_GRANT, deviceCode=device["deviceCode"]
    )


@pytest.mark.parametrize("operation", ["RegisterClient", "StartDeviceAuthorization", "CreateToken"])
def test_sso_oidc_throttles_with_the_modelled_slow_down_400(start_emulator, operation):
    """Past --throttle-rps, SSO OIDC answers SlowDownException with 400, as its model has it for
    every operation (there is no TooManyRequestsException in sso-oidc); botocore raises the
    modelled exception and, since it is no retryable code, does not retry it."""
    emu = start_emulator(throttle_rps=1)
    call = _throttled_oidc_call(emu, operation)
    oidc = emu.client("sso-oidc")
    modelled = {s.name for s in oidc.meta.service_model.operation_model(operation).error_shapes}
    assert "SlowDownException" in modelled
    before = emu.calls(operation)
    with pytest.raises(oidc.exceptions.SlowDownException) as exc:
        call()
    metadata = exc.value.response["ResponseMetadata"]
    assert (metadata["HTTPStatusCode"], metadata["RetryAttempts"]) == (400, 0)
    assert exc.value.response["Error"]["Code"] == "SlowDownException"
    assert emu.calls(operation) == before + 1


def test_sso_oidc_throttling_body_is_the_oauth_slow_down(start_emulator):
    """On the wire: 400, x-amzn-ErrorType SlowDownException, {"error": "slow_down", ...}."""
    emu = start_emulator(throttle_rps=1)
    register(emu.client("sso-oidc"))
    body = json.dumps({"clientName": "x", "clientType": "public"}).encode()
    status, headers, answer = raw_request(emu.url, "POST", "/client/register", body)
    assert (status, headers["x-amzn-ErrorType"]) == (400, "SlowDownException")
    assert json.loads(answer) == {"error": "slow_down", "error_description": "Rate exceeded"}


def test_portal_throttling_stays_429_and_is_retried(start_emulator):
    """The SSO portal keeps its modelled 429 TooManyRequestsException, which botocore retries."""
    emu = start_emulator(throttle_rps=3)
    token = device_login(emu)["accessToken"]  # three OIDC calls spend the bucket
    portal = emu.client("sso", THREE_ATTEMPTS)
    with pytest.raises(ClientError) as exc:
        portal.get_role_credentials(
            accessToken=token, accountId="111111111111", roleName="Developer"
        )
    assert (error_code(exc), exc.value.response["ResponseMetadata"]["HTTPStatusCode"]) == (
        "TooManyRequestsException",
        429,
    )
    assert (
        emu.calls("GetRoleCredentials"),
        exc.value.response["ResponseMetadata"]["RetryAttempts"],
    ) == (3, 2)


def test_throttle_bucket_refills_with_time(start_emulator):
    """After a second the bucket holds a token again."""
    emu = start_emulator(throttle_rps=1)
    oidc = emu.client("sso-oidc")
    register(oidc)
    emu.clock.advance(1)
    assert register(oidc)["clientId"]


def test_sts_throttling_uses_the_sts_code(start_emulator):
    """STS throttles with its own code, Throttling."""
    emu = start_emulator(throttle_rps=4)
    login = device_login(emu)  # three calls; GetRoleCredentials takes the fourth token
    creds = emu.client("sso").get_role_credentials(
        accessToken=login["accessToken"], accountId="111111111111", roleName="Developer"
    )
    with pytest.raises(ClientError) as exc:
        emu.sts_as(creds["roleCredentials"]).get_caller_identity()
    assert error_code(exc) == "Throttling"


def test_injected_500_is_retried_by_botocore(start_emulator):
    """--fault-rate 1 with 500s only: botocore tries three times, then InternalServerException."""
    emu = start_emulator(fault_rate=1.0, fault_drop_share=0.0)
    with pytest.raises(ClientError) as exc:
        register(emu.client("sso-oidc", THREE_ATTEMPTS))
    assert (error_code(exc), exc.value.response["ResponseMetadata"]["HTTPStatusCode"]) == (
        "InternalServerException",
        500,
    )
    assert emu.calls("RegisterClient") == 3


def test_dropped_connection_is_retried_by_botocore(start_emulator):
    """--fault-rate 1 with drops only: botocore retries, then ConnectionClosedError."""
    emu = start_emulator(fault_rate=1.0, fault_drop_share=1.0)
    with pytest.raises(ConnectionClosedError):
        register(emu.client("sso-oidc", THREE_ATTEMPTS))
    assert emu.calls("RegisterClient") == 3


def test_botocore_retries_ride_out_random_faults(start_emulator):
    """At a 30 % fault rate, retries get every call through; the emulator saw more calls."""
    emu = start_emulator(fault_rate=0.3, seed=7)
    oidc = emu.client("sso-oidc", Config(retries={"total_max_attempts": 10, "mode": "standard"}))
    clients = [register(oidc) for _ in range(20)]
    assert len({c["clientId"] for c in clients}) == 20
    assert emu.calls("RegisterClient") > 20
