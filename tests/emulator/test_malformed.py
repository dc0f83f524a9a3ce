"""Malformed and hostile requests get the documented error, never a 500 or a hang."""

from __future__ import annotations

import json
import socket
from urllib.parse import urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support import raw_request, register

JSON_ROUTES = ["/client/register", "/device_authorization", "/token"]


@pytest.mark.parametrize("path", JSON_ROUTES)
@pytest.mark.parametrize("body", [b"{", b"\xff\xfe", b"[1, 2]", b'"text"', b"null"])
def test_body_that_is_not_a_json_object_is_invalid_request(emu, path, body):
    """Broken JSON is 400 InvalidRequestException with error invalid_request."""
    status, headers, answer = raw_request(emu.url, "POST", path, body)
    assert (status, headers["x-amzn-ErrorType"]) == (400, "InvalidRequestException")
    assert json.loads(answer)["error"] == "invalid_request"


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/client/register", {"clientType": "public"}, "clientName"),
        ("/client/register", {"clientName": "x"}, "clientType"),
        (
            "/client/register",
            {"clientName": "x", "clientType": "public", "scopes": "one"},
            "scopes",
        ),
        ("/device_authorization", {"clientSecret": "s", "startUrl": "u"}, "clientId"),
        ("/token", {"clientId": "c", "grantType": "refresh_token"}, "clientSecret"),
    ],
)
def test_missing_or_mistyped_field_is_invalid_request(emu, path, body, field):
    """A missing required field is InvalidRequestException naming the field."""
    status, headers, answer = raw_request(emu.url, "POST", path, json.dumps(body).encode())
    assert (status, headers["x-amzn-ErrorType"]) == (400, "InvalidRequestException")
    assert field in json.loads(answer)["error_description"]


@pytest.fixture
def client(emu):
    return register(emu.client("sso-oidc"))


def _token(emu, client, **fields):
    body = {"clientId": client["clientId"], "clientSecret": client["clientSecret"], **fields}
    status, headers, answer = raw_request(emu.url, "POST", "/token", json.dumps(body).encode())
    return status, headers.get("x-amzn-ErrorType"), json.loads(answer)


def test_unknown_grant_type_is_unsupported_grant_type(emu, client):
    """A grantType outside OAuth's list is UnsupportedGrantTypeException."""
    assert _token(emu, client, grantType="password")[:2] == (400, "UnsupportedGrantTypeException")


def test_device_grant_without_device_code_is_invalid_request(emu, client):
    """The device grant needs deviceCode."""
    status, code, _ = _token(emu, client, grantType="urn:ietf:params:oauth:grant-type:device_code")
    assert (status, code) == (400, "InvalidRequestException")


def test_unknown_device_code_is_invalid_grant(emu, client):
    """A device code nobody issued is InvalidGrantException."""
    status, code, body = _token(
        emu, client, grantType="urn:ietf:params:oauth:grant-type:device_code", deviceCode="dc-x"
    )
    assert (status, code, body["error"]) == (400, "InvalidGrantException", "invalid_grant")


def test_wrong_secret_at_token_is_invalid_client(emu, client):
    """CreateToken with a wrong secret is 401 InvalidClientException."""
    body = {"clientId": client["clientId"], "clientSecret": "nope", "grantType": "refresh_token"}
    status, headers, _ = raw_request(emu.url, "POST", "/token", json.dumps(body).encode())
    assert (status, headers["x-amzn-ErrorType"]) == (401, "InvalidClientException")


@pytest.mark.parametrize("length", ["-1", "abc", str(2 << 20)])
def test_bad_content_length_is_rejected(emu, length):
    """A negative, non-numeric or huge Content-Length gets a 400, not a hang."""
    parts = urlsplit(emu.url)
    with socket.create_connection((parts.hostname, parts.port), timeout=5) as sock:
        sock.sendall(
            f"POST /token HTTP/1.1\r\nHost: x\r\nContent-Length: {length}\r\n\r\n".encode()
        )
        assert sock.recv(100).startswith(b"HTTP/1.1 400")


@pytest.mark.parametrize(
    ("method", "path"), [("GET", "/token"), ("DELETE", "/logout"), ("GET", "/nope")]
)
def test_unknown_operation_is_404(emu, method, path):
    """A path or method no service has is 404 UnknownOperationException."""
    status, headers, _ = raw_request(emu.url, method, path)
    assert (status, headers["x-amzn-ErrorType"]) == (404, "UnknownOperationException")


def test_hostile_host_header_does_not_reach_the_answer(emu, client):
    """A Host header that is not a host name is ignored when building verification URLs."""
    body = {**{k: client[k] for k in ("clientId", "clientSecret")}, "startUrl": "https://x"}
    _, _, answer = raw_request(
        emu.url,
        "POST",
        "/device_authorization",
        json.dumps(body).encode(),
        {"Host": "evil.example/<script>"},
    )
    assert json.loads(answer)["verificationUri"] == f"{emu.url}/device"


_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=10,
)
_fields = st.sampled_from(
    [
        "clientId",
        "clientSecret",
        "clientName",
        "clientType",
        "grantType",
        "scopes",
        "grantTypes",
        "redirectUris",
        "deviceCode",
        "code",
        "codeVerifier",
        "redirectUri",
        "refreshToken",
        "startUrl",
    ]
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    path=st.sampled_from(JSON_ROUTES),
    body=st.dictionaries(_fields, _json_values, max_size=6),
)
def test_random_oidc_bodies_get_a_modeled_4xx(emu, path, body):
    """Whatever JSON object arrives, the answer is a modeled 4xx error or a success, never a 500."""
    status, headers, _ = raw_request(emu.url, "POST", path, json.dumps(body).encode())
    assert status in (200, 400, 401)
    if status != 200:
        assert headers["x-amzn-ErrorType"].endswith("Exception")
