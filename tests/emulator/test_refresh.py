"""The refresh-token grant: rotation, reuse, expiry, logout."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from tests.support import device_login, error_code, register


def _refresh(emu, login, refresh_token=None, client=None):
    client = client or login["client"]
    return emu.client("sso-oidc").create_token(
        clientId=client["clientId"],
        clientSecret=client["clientSecret"],
        grantType="refresh_token",
        refreshToken=refresh_token or login["refreshToken"],
    )


def test_refresh_rotates_both_tokens(emu):
    """A refresh returns a new access token and a new refresh token."""
    login = device_login(emu)
    renewed = _refresh(emu, login)
    assert renewed["accessToken"] != login["accessToken"]
    assert renewed["refreshToken"] != login["refreshToken"]
    assert emu.stats()["grants"]["refresh_token"] == 1


def test_renewed_access_token_works_after_the_old_one_expired(emu):
    """The access token from a refresh is accepted by the portal."""
    login = device_login(emu)
    emu.clock.advance(3600)
    renewed = _refresh(emu, login)
    accounts = emu.client("sso").list_accounts(accessToken=renewed["accessToken"])
    assert len(accounts["accountList"]) == 3


def test_used_refresh_token_is_invalid_grant(emu):
    """A refresh token works once."""
    login = device_login(emu)
    _refresh(emu, login)
    with pytest.raises(ClientError) as exc:
        _refresh(emu, login)
    assert error_code(exc) == "InvalidGrantException"


def test_refresh_token_dies_with_the_session(start_emulator):
    """After --session-ttl the refresh token is InvalidGrantException."""
    emu = start_emulator(session_ttl=7200)
    login = device_login(emu)
    emu.clock.advance(7200)
    with pytest.raises(ClientError) as exc:
        _refresh(emu, login)
    assert error_code(exc) == "InvalidGrantException"


def test_access_token_never_outlives_the_session(start_emulator):
    """expiresIn is cut to what is left of the portal session."""
    emu = start_emulator(session_ttl=5000)
    login = device_login(emu)
    emu.clock.advance(4000)
    assert _refresh(emu, login)["expiresIn"] == 1000


def test_refresh_token_of_another_client_is_invalid_grant(emu):
    """Only the client it was issued to may use a refresh token."""
    login = device_login(emu)
    other = register(emu.client("sso-oidc"))
    with pytest.raises(ClientError) as exc:
        _refresh(emu, login, client=other)
    assert error_code(exc) == "InvalidGrantException"


def test_refresh_after_logout_is_invalid_grant(emu):
    """Logout ends the session, refresh token included."""
    login = device_login(emu)
    emu.client("sso").logout(accessToken=login["accessToken"])
    with pytest.raises(ClientError) as exc:
        _refresh(emu, login)
    assert error_code(exc) == "InvalidGrantException"
