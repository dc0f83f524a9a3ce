"""Authorization code + PKCE: /authorize in the browser, then CreateToken with the verifier."""

from __future__ import annotations

import base64
import hashlib
import secrets
from urllib.parse import parse_qs, quote, urlencode, urlsplit

import pytest
from botocore.exceptions import ClientError

from tests.support import error_code, raw_request, register

REGISTERED = "http://127.0.0.1/oauth/callback"
CALLBACK = "http://127.0.0.1:54321/oauth/callback"


def _challenge(verifier: str) -> str:
    return (
        base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    )


def _pkce_client(emu):
    return register(
        emu.client("sso-oidc"),
        grantTypes=["authorization_code", "refresh_token"],
        redirectUris=[REGISTERED],
    )


def _authorize_path(client_id, verifier, redirect_uri=CALLBACK, **overrides):
    # Parameter order and encoding as the AWS CLI builds the URL; code_challenge last.
    params = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": redirect_uri,
        "state": "state-123",
        "code_challenge_method": "S256",
        "scopes": "sso:account:access",
    }
    params.update(overrides)
    query = urlencode(params, quote_via=quote, safe="-_.~")
    return f"/authorize?{query}&code_challenge={_challenge(verifier)}"


def _callback(emu, path):
    status, headers, _ = raw_request(emu.url, "GET", path)
    assert status == 302
    location = urlsplit(headers["Location"])
    return location, {k: v[0] for k, v in parse_qs(location.query).items()}


def _exchange(emu, client, code, verifier, redirect_uri=CALLBACK):
    return emu.client("sso-oidc").create_token(
        clientId=client["clientId"],
        clientSecret=client["clientSecret"],
        grantType="authorization_code",
        code=code,
        redirectUri=redirect_uri,
        codeVerifier=verifier,
    )


@pytest.fixture
def auto(start_emulator):
    return start_emulator(auto_approve=True)


def _verifier():
    return secrets.token_urlsafe(48)[:64]


def test_authorize_redirects_to_any_loopback_port_with_code_and_state(auto):
    """The redirect goes to the port used at /authorize, carrying code and state."""
    client, verifier = _pkce_client(auto), _verifier()
    location, query = _callback(auto, _authorize_path(client["clientId"], verifier))
    assert (location.netloc, location.path, query["state"]) == (
        "127.0.0.1:54321",
        "/oauth/callback",
        "state-123",
    )
    assert query["code"]


def test_code_with_the_right_verifier_gives_tokens(auto):
    """CreateToken with the matching verifier returns access and refresh tokens."""
    client, verifier = _pkce_client(auto), _verifier()
    _, query = _callback(auto, _authorize_path(client["clientId"], verifier))
    token = _exchange(auto, client, query["code"], verifier)
    assert token["accessToken"]
    assert token["refreshToken"]
    assert auto.stats()["grants"] == {"authorization_code": 1}


def test_wrong_verifier_is_invalid_grant(auto):
    """A verifier whose S256 hash differs from the challenge is InvalidGrantException."""
    client, verifier = _pkce_client(auto), _verifier()
    _, query = _callback(auto, _authorize_path(client["clientId"], verifier))
    with pytest.raises(ClientError) as exc:
        _exchange(auto, client, query["code"], _verifier())
    assert error_code(exc) == "InvalidGrantException"


def test_code_works_once_and_a_replay_revokes_its_session(auto):
    """A reused code is InvalidGrantException and the tokens it first gave stop working."""
    client, verifier = _pkce_client(auto), _verifier()
    _, query = _callback(auto, _authorize_path(client["clientId"], verifier))
    token = _exchange(auto, client, query["code"], verifier)
    with pytest.raises(ClientError) as exc:
        _exchange(auto, client, query["code"], verifier)
    assert error_code(exc) == "InvalidGrantException"
    with pytest.raises(ClientError) as portal_exc:
        auto.client("sso").list_accounts(accessToken=token["accessToken"])
    assert error_code(portal_exc) == "UnauthorizedException"


def test_redirect_uri_must_match_the_authorize_call(auto):
    """A different port at CreateToken than at /authorize is InvalidGrantException."""
    client, verifier = _pkce_client(auto), _verifier()
    _, query = _callback(auto, _authorize_path(client["clientId"], verifier))
    with pytest.raises(ClientError) as exc:
        _exchange(auto, client, query["code"], verifier, "http://127.0.0.1:1/oauth/callback")
    assert error_code(exc) == "InvalidGrantException"


def test_expired_code_is_expired_token(auto):
    """A code redeemed after its lifetime is ExpiredTokenException."""
    client, verifier = _pkce_client(auto), _verifier()
    _, query = _callback(auto, _authorize_path(client["clientId"], verifier))
    auto.clock.advance(600)
    with pytest.raises(ClientError) as exc:
        _exchange(auto, client, query["code"], verifier)
    assert error_code(exc) == "ExpiredTokenException"


def test_code_of_another_client_is_invalid_grant(auto):
    """A code issued to one client cannot be redeemed by another."""
    client, other, verifier = _pkce_client(auto), _pkce_client(auto), _verifier()
    _, query = _callback(auto, _authorize_path(client["clientId"], verifier))
    with pytest.raises(ClientError) as exc:
        _exchange(auto, other, query["code"], verifier)
    assert error_code(exc) == "InvalidGrantException"


@pytest.mark.parametrize(
    "redirect_uri",
    [
        "http://127.0.0.1:54321/elsewhere",
        "http://evil.example:54321/oauth/callback",
        "https://127.0.0.1:54321/oauth/callback",
    ],
)
def test_unregistered_redirect_uri_gets_a_page_not_a_redirect(auto, redirect_uri):
    """/authorize never redirects to an address the client did not register."""
    client = _pkce_client(auto)
    status, headers, body = raw_request(
        auto.url, "GET", _authorize_path(client["clientId"], _verifier(), redirect_uri)
    )
    assert (status, "Location" in headers) == (400, False)
    assert b"redirect_uri is not registered" in body


def test_unknown_client_at_authorize_gets_a_page(auto):
    """An unknown client_id is answered with a 400 page."""
    status, _, body = raw_request(auto.url, "GET", _authorize_path("cid-nobody", _verifier()))
    assert (status, b"Unknown client" in body) == (400, True)


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"code_challenge_method": "plain"}, "invalid_request"),
        ({"response_type": "token"}, "unsupported_response_type"),
        ({"scopes": "bad scope"}, "invalid_scope"),
    ],
)
def test_bad_authorize_request_redirects_with_error(auto, overrides, error):
    """Errors after the redirect URI is trusted go back to it as error + state."""
    client = _pkce_client(auto)
    _, query = _callback(auto, _authorize_path(client["clientId"], _verifier(), **overrides))
    assert (query["error"], query["state"]) == (error, "state-123")


def test_device_client_at_authorize_is_unauthorized_client(auto):
    """A client registered without authorization_code is sent back with unauthorized_client."""
    client = register(auto.client("sso-oidc"), redirectUris=[REGISTERED])
    _, query = _callback(auto, _authorize_path(client["clientId"], _verifier()))
    assert query["error"] == "unauthorized_client"


def _press(emu, page, decision):
    """Submit the consent page's form with Allow or Deny; returns the redirect's query."""
    request_id = page.split(b'name="request_id" value="')[1].split(b'"')[0].decode()
    form = urlencode({"request_id": request_id, "decision": decision}).encode()
    _, headers, _ = raw_request(
        emu.url, "POST", "/authorize", form, {"Content-Type": "application/x-www-form-urlencoded"}
    )
    return parse_qs(urlsplit(headers["Location"]).query)


def test_consent_page_allow_returns_a_code(emu):
    """Without auto-approve /authorize shows Allow/Deny; Allow redirects with a code."""
    client, verifier = _pkce_client(emu), _verifier()
    status, _, page = raw_request(emu.url, "GET", _authorize_path(client["clientId"], verifier))
    assert status == 200
    assert b'value="allow"' in page
    assert b'value="deny"' in page
    query = _press(emu, page, "allow")
    assert _exchange(emu, client, query["code"][0], verifier)["accessToken"]


def test_consent_page_deny_redirects_with_access_denied(emu):
    """Deny sends the browser back with error=access_denied and the state."""
    client = _pkce_client(emu)
    _, _, page = raw_request(emu.url, "GET", _authorize_path(client["clientId"], _verifier()))
    query = _press(emu, page, "deny")
    assert (query["error"], query["state"]) == (["access_denied"], ["state-123"])


def test_device_client_may_not_use_authorization_code_grant(emu):
    """CreateToken with a grant the client did not register is UnauthorizedClientException."""
    client = register(emu.client("sso-oidc"))
    with pytest.raises(ClientError) as exc:
        _exchange(emu, client, "code-x", _verifier())
    assert error_code(exc) == "UnauthorizedClientException"
