"""The console federation endpoint: getSigninToken for issued credentials, then login."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest

from tests.support import device_login, raw_request

DESTINATION = "https://eu-west-1.console.aws.amazon.com/console/home?region=eu-west-1"


@pytest.fixture
def creds(emu):
    token = device_login(emu)["accessToken"]
    return emu.client("sso").get_role_credentials(
        accessToken=token, accountId="111111111111", roleName="Developer"
    )["roleCredentials"]


def _session(creds, **changes):
    fields = {
        "sessionId": creds["accessKeyId"],
        "sessionKey": creds["secretAccessKey"],
        "sessionToken": creds["sessionToken"],
    }
    fields.update(changes)
    return json.dumps(fields)


def _get(emu, **params):
    return raw_request(emu.url, "GET", f"/federation?{urlencode(params)}")


def _signin_token(emu, session, **params):
    status, headers, body = _get(emu, Action="getSigninToken", Session=session, **params)
    assert status == 200, body
    assert headers["Content-Type"] == "application/json"
    return json.loads(body)["SigninToken"]


def _login(emu, token, destination=DESTINATION):
    return _get(emu, Action="login", Issuer="https://example.com", Destination=destination,
                SigninToken=token)  # fmt: skip


def test_issued_credentials_get_a_signin_token(emu, creds):
    """GET getSigninToken with the portal's credentials answers {"SigninToken": opaque}."""
    token = _signin_token(emu, _session(creds))
    assert len(token) > 100
    assert creds["secretAccessKey"] not in token


def test_post_with_a_form_body_works_too(emu, creds):
    """AWS takes the same parameters as a POST form; so does the emulator."""
    body = urlencode({"Action": "getSigninToken", "Session": _session(creds)}).encode()
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    status, _, answer = raw_request(emu.url, "POST", "/federation", body, headers)
    assert status == 200
    assert set(json.loads(answer)) == {"SigninToken"}


def test_login_with_the_token_names_the_role_session(emu, creds):
    """login with a fresh SigninToken is a page naming role, account and destination."""
    status, headers, page = _login(emu, _signin_token(emu, _session(creds)))
    text = page.decode()
    assert status == 200
    assert headers["Content-Type"].startswith("text/html")
    assert '<b id="role">AWSReservedSSO_Developer_' in text
    assert '<b id="account">111111111111 (dev)</b>' in text
    assert "eu-west-1.console.aws.amazon.com" in text


def test_an_assumed_role_signs_in_as_that_role(emu, creds):
    """Credentials from AssumeRole sign in as the assumed role, in its account."""
    assumed = emu.sts_as(creds).assume_role(
        RoleArn="arn:aws:iam::222222222222:role/Deploy", RoleSessionName="alice"
    )["Credentials"]
    session = json.dumps(
        {
            "sessionId": assumed["AccessKeyId"],
            "sessionKey": assumed["SecretAccessKey"],
            "sessionToken": assumed["SessionToken"],
        }
    )
    _, _, page = _login(emu, _signin_token(emu, session))
    assert '<b id="role">Deploy</b>' in page.decode()
    assert "222222222222 (staging)" in page.decode()


@pytest.mark.parametrize(
    "changes",
    [
        {"sessionId": "ASIAUNKNOWNKEY000000"},
        {"sessionKey": "not-the-secret"},
        {"sessionToken": "not-the-token"},
    ],
    ids=["unknown key", "wrong secret", "wrong session token"],
)
def test_credentials_the_emulator_did_not_issue_are_400(emu, creds, changes):
    """A key it never issued, or an issued key with another secret or token: 400."""
    status, headers, page = _get(emu, Action="getSigninToken", Session=_session(creds, **changes))
    assert (status, headers["Content-Type"]) == (400, "text/html; charset=utf-8")
    assert b"not valid" in page
    assert creds["secretAccessKey"].encode() not in page


def test_expired_credentials_are_400(emu, creds):
    """Credentials past their expiration get no sign-in token."""
    emu.clock.advance(3601)
    status, _, page = _get(emu, Action="getSigninToken", Session=_session(creds))
    assert status == 400
    assert b"expired" in page


@pytest.mark.parametrize(
    "session",
    [
        None,
        "",
        "{",
        "[1, 2]",
        '"text"',
        '{"sessionId": "ASIA", "sessionKey": "k"}',
        '{"sessionId": 1, "sessionKey": "k", "sessionToken": "t"}',
        '{"sessionId": "\\ud800", "sessionKey": "\\ud800", "sessionToken": "t"}',
        "[" * 100_000,
    ],
    ids=[
        "missing",
        "empty",
        "broken JSON",
        "a list",
        "a string",
        "a field missing",
        "a number",
        "lone surrogates",
        "deeply nested",
    ],
)
def test_malformed_session_is_400(emu, session):
    """A Session that is not the JSON object of three strings is 400, never a 500."""
    params = {"Action": "getSigninToken"}
    if session is not None:
        params["Session"] = session
    body = urlencode(params).encode()
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    status, _, page = raw_request(emu.url, "POST", "/federation", body, headers)
    assert status == 400
    assert b"Session" in page


def test_session_duration_is_taken_for_sso_role_credentials(emu, creds):
    """SessionDuration between 900 and 43200 is accepted for credentials of an SSO role."""
    assert _signin_token(emu, _session(creds), SessionDuration="43200")


@pytest.mark.parametrize("duration", ["899", "43201", "1e3", "²", ""])
def test_session_duration_out_of_range_is_400(emu, creds, duration):
    """SessionDuration must be ASCII digits from 900 to 43200."""
    status, _, _ = _get(
        emu, Action="getSigninToken", Session=_session(creds), SessionDuration=duration
    )
    assert status == 400


def test_session_duration_with_role_chaining_is_400(emu, creds):
    """Credentials of a role assumed with role credentials refuse SessionDuration, as AWS
    does; without it they sign in."""
    assumed = emu.sts_as(creds).assume_role(
        RoleArn="arn:aws:iam::222222222222:role/Deploy", RoleSessionName="alice"
    )["Credentials"]
    session = json.dumps(
        {
            "sessionId": assumed["AccessKeyId"],
            "sessionKey": assumed["SecretAccessKey"],
            "sessionToken": assumed["SessionToken"],
        }
    )
    status, _, page = _get(emu, Action="getSigninToken", Session=session, SessionDuration="3600")
    assert (status, b"role chaining" in page) == (400, True)
    assert _signin_token(emu, session)


@pytest.mark.parametrize("token", ["", "made-up"])
def test_login_without_an_issued_token_is_400(emu, token):
    """login with no SigninToken, or one never issued, is 400."""
    status, _, page = _login(emu, token)
    assert (status, b"SigninToken" in page) == (400, True)


def test_a_signin_token_lasts_15_minutes(emu, creds):
    """The login URL works 15 minutes after getSigninToken, and not after."""
    token = _signin_token(emu, _session(creds))
    emu.clock.advance(899)
    assert _login(emu, token)[0] == 200
    emu.clock.advance(2)
    assert _login(emu, token)[0] == 400


@pytest.mark.parametrize("destination", ["", "console", "javascript:alert(1)", "http://[::1"])
def test_login_needs_a_destination_url(emu, creds, destination):
    """login without a Destination that is an http(s) URL is 400."""
    token = _signin_token(emu, _session(creds))
    assert _login(emu, token, destination)[0] == 400


def test_unknown_action_is_400(emu):
    """Only getSigninToken and login are actions of the endpoint."""
    status, _, page = _get(emu, Action="getFederationToken")
    assert (status, b"Action" in page) == (400, True)


def test_both_actions_are_counted(emu, creds):
    """The stats count getSigninToken and login calls, failed ones too."""
    token = _signin_token(emu, _session(creds))
    _login(emu, token)
    _login(emu, "made-up")
    _get(emu, Action="nonsense")
    calls = emu.stats()["calls"]
    assert (calls["getSigninToken"], calls["login"], calls["UnknownAction"]) == (1, 2, 1)
