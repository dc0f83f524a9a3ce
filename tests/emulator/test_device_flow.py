"""The device-code grant of CreateToken, polled through boto3 as the AWS CLI polls it."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from tests.support import DEVICE_GRANT, approve, error_code, register, start_device


def test_pending_device_code_answers_authorization_pending(emu):
    """Until approval the answer is AuthorizationPendingException (error authorization_pending)."""
    _, poll = start_device(emu)
    with pytest.raises(ClientError) as exc:
        poll()
    assert error_code(exc) == "AuthorizationPendingException"
    assert exc.value.response["error"] == "authorization_pending"


def test_approved_device_code_gives_tokens(emu):
    """After /_emulator/approve the next poll returns a bearer token with a refresh token."""
    device, poll = start_device(emu)
    approve(emu.url, device["userCode"])
    token = poll()
    assert (token["tokenType"], token["expiresIn"]) == ("Bearer", 3600)
    assert token["accessToken"]
    assert token["refreshToken"]


def test_auto_approve_grants_on_the_first_poll(start_emulator):
    """With --auto-approve the AWS CLI's immediate first CreateToken already succeeds."""
    _, poll = start_device(start_emulator(auto_approve=True))
    assert poll()["accessToken"]


def test_polling_faster_than_interval_is_slow_down(emu):
    """A poll sooner than `interval` after the last one is SlowDownException."""
    _, poll = start_device(emu)
    with pytest.raises(ClientError):
        poll()
    with pytest.raises(ClientError) as exc:
        poll()
    assert (error_code(exc), exc.value.response["error"]) == ("SlowDownException", "slow_down")


def test_polling_at_interval_is_not_slow_down(emu):
    """A poll a full interval after the last one is still just pending."""
    _, poll = start_device(emu)
    with pytest.raises(ClientError):
        poll()
    emu.clock.advance(1)
    with pytest.raises(ClientError) as exc:
        poll()
    assert error_code(exc) == "AuthorizationPendingException"


def test_device_code_expires(emu):
    """After the device code's lifetime the answer is ExpiredTokenException."""
    _, poll = start_device(emu)
    emu.clock.advance(600)
    with pytest.raises(ClientError) as exc:
        poll()
    assert error_code(exc) == "ExpiredTokenException"


def test_short_device_code_ttl_is_honoured(start_emulator):
    """--device-code-ttl sets expiresIn and when the code dies."""
    emu = start_emulator(device_code_ttl=5)
    device, poll = start_device(emu)
    assert device["expiresIn"] == 5
    emu.clock.advance(5)
    with pytest.raises(ClientError) as exc:
        poll()
    assert error_code(exc) == "ExpiredTokenException"


def test_denied_device_code_is_access_denied(emu):
    """After Deny the poll answers AccessDeniedException."""
    device, poll = start_device(emu)
    approve(emu.url, device["userCode"], "deny")
    with pytest.raises(ClientError) as exc:
        poll()
    assert (error_code(exc), exc.value.response["error"]) == (
        "AccessDeniedException",
        "access_denied",
    )


def test_device_code_works_once(emu):
    """A redeemed device code is InvalidGrantException."""
    device, poll = start_device(emu)
    approve(emu.url, device["userCode"])
    poll()
    emu.clock.advance(1)
    with pytest.raises(ClientError) as exc:
        poll()
    assert error_code(exc) == "InvalidGrantException"


def test_device_code_of_another_client_is_invalid_grant(emu):
    """A device code redeemed by a different client is InvalidGrantException."""
    device, _ = start_device(emu)
    approve(emu.url, device["userCode"])
    oidc = emu.client("sso-oidc")
    other = register(oidc)
    with pytest.raises(ClientError) as exc:
        oidc.create_token(
            clientId=other["clientId"],
            clientSecret=other["clientSecret"],
            grantType=DEVICE_GRANT,
            deviceCode=device["deviceCode"],
        )
    assert error_code(exc) == "InvalidGrantException"


def test_no_refresh_token_without_the_account_access_scope(emu):
    """A client registered without sso:account:access gets no refresh token."""
    device, poll = start_device(emu, scopes=[])
    approve(emu.url, device["userCode"])
    assert "refreshToken" not in poll()


def test_stats_count_calls_and_grants(emu):
    """/_emulator/stats counts every call per operation and CreateToken per grant type."""
    device, poll = start_device(emu)
    with pytest.raises(ClientError):
        poll()
    approve(emu.url, device["userCode"])
    emu.clock.advance(1)
    poll()
    assert emu.stats() == {
        "calls": {"RegisterClient": 1, "StartDeviceAuthorization": 1, "CreateToken": 2},
        "grants": {"device_code": 2},
    }
