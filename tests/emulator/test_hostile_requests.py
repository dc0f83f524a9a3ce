"""Hostile requests get the service's documented 4xx, never a 500 "Emulator bug" or a hang."""

from __future__ import annotations

import base64
import http.client
import json
import socket
import xml.etree.ElementTree as ET
from urllib.parse import quote, urlencode, urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support import DEVICE_GRANT, START_URL, device_login, raw_request, register

OIDC_ROUTES = ["/client/register", "/device_authorization", "/token"]
PORTAL_GETS = ["/federation/credentials", "/assignment/accounts", "/assignment/roles"]
BEARER = "x-amz-sso_bearer_token"
DEEP = 100_000


def _deep_array(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


@pytest.fixture
def signed_in(emu):
    """A registered client, its tokens, and role credentials STS accepts."""
    login = device_login(emu)
    creds = emu.client("sso").get_role_credentials(
        accessToken=login["accessToken"], accountId="111111111111", roleName="Developer"
    )["roleCredentials"]
    return {**login, "creds": creds}


def _oidc(emu, path, payload):
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    status, headers, answer = raw_request(emu.url, "POST", path, body)
    return status, headers.get("x-amzn-ErrorType"), answer


def _sts(emu, creds, form, headers=None):
    """POST / as the caller ``creds``; the emulator reads the key id, not the signature."""
    auth = {
        "Authorization": f"AWS4-HMAC-SHA256 Credential={creds['accessKeyId']}/x, Signature=0",
        "X-Amz-Security-Token": creds["sessionToken"],
        "Content-Type": "application/x-www-form-urlencoded",
        **(headers or {}),
    }
    body = form if isinstance(form, bytes) else urlencode(form).encode()
    return raw_request(emu.url, "POST", "/", body, auth)


def _sts_error(answer):
    """The query protocol's error code from an XML ErrorResponse (which must parse)."""
    ns = {"sts": "https://sts.amazonaws.com/doc/2011-06-15/"}
    return ET.fromstring(answer).find("sts:Error/sts:Code", ns).text  # noqa: S314 - our emulator


# --- nesting, non-objects, invalid UTF-8 ------------------------------------------------


@pytest.mark.parametrize("path", OIDC_ROUTES)
@pytest.mark.parametrize(
    "body",
    [
        _deep_array(DEEP),
        b'{"a":' * DEEP + b"1" + b"}" * DEEP,
        b'{"clientName": ' + _deep_array(DEEP) + b', "clientType": "public"}',
        b'{"clientName": "\xff\xfe", "clientType": "public"}',
        b'{"clientName": "x", "clientType": "public", "n": ' + b"9" * 5000 + b"}",
        b"\x00" * 64,
    ],
    ids=["deep-array", "deep-object", "deep-field", "invalid-utf8", "huge-int", "nul-bytes"],
)
def test_unreadable_json_is_invalid_request(emu, path, body):
    """Nesting 100,000 deep, invalid UTF-8 or 5000-digit numbers: 400 InvalidRequestException."""
    status, code, answer = _oidc(emu, path, body)
    assert (status, code) == (400, "InvalidRequestException")
    assert json.loads(answer)["error"] == "invalid_request"


@pytest.mark.parametrize("decision", ["approve", "deny"])
@pytest.mark.parametrize("body", [_deep_array(DEEP), b"[1]", b'"x"', b"\xff", b'{"userCode": 1}'])
def test_control_endpoints_refuse_unreadable_bodies_with_400(emu, decision, body):
    """/_emulator/approve and /deny answer 400 to anything but {"userCode": "..."}."""
    status, _, _ = raw_request(emu.url, "POST", f"/_emulator/{decision}", body)
    assert status == 400


# --- wrong types for each field ---------------------------------------------------------

WRONG_TYPES = [1, -1.5, True, None, [], {}, ["x", 2], {"a": "b"}]


def _valid_bodies(emu, signed_in):
    """For each field of each operation, a body that is valid except for that field."""
    client = {k: signed_in["client"][k] for k in ("clientId", "clientSecret")}
    auth_client = register(
        emu.client("sso-oidc"),
        grantTypes=["authorization_code", "refresh_token"],
        redirectUris=["http://127.0.0.1/callback"],
    )
    auth = {k: auth_client[k] for k in ("clientId", "clientSecret")}
    registration = {"clientName": "x", "clientType": "public"}
    device = {**client, "startUrl": START_URL}
    device_grant = {**client, "grantType": DEVICE_GRANT, "deviceCode": "dc-x"}
    refresh = {**client, "grantType": "refresh_token", "refreshToken": "aor-x"}
    code_grant = {
        **auth,
        "grantType": "authorization_code",
        "code": "code-x",
        "redirectUri": "http://127.0.0.1/callback",
        "codeVerifier": "v" * 43,
    }
    return [
        *(("/client/register", registration, f) for f in ("clientName", "clientType")),
        *(("/client/register", registration, f) for f in ("scopes", "grantTypes", "redirectUris")),
        *(("/device_authorization", device, f) for f in device),
        *(("/token", device_grant, f) for f in device_grant),
        ("/token", refresh, "refreshToken"),
        *(("/token", code_grant, f) for f in ("code", "redirectUri", "codeVerifier")),
    ]


def test_every_field_with_a_wrong_type_is_invalid_request(emu, signed_in):
    """Each field of each OIDC operation, given a number, bool, null, list or object: 400."""
    seen = []
    for path, valid, field in _valid_bodies(emu, signed_in):
        for wrong in WRONG_TYPES:
            lists = ("scopes", "grantTypes", "redirectUris")
            if (
                field in lists
                and isinstance(wrong, list)
                and all(isinstance(i, str) for i in wrong)
            ):
                continue  # an empty list of strings is a valid value there
            status, code, answer = _oidc(emu, path, {**valid, field: wrong})
            seen.append((path, field, repr(wrong), status, code))
            assert (status, code) == (400, "InvalidRequestException"), seen[-1]
            assert field in json.loads(answer)["error_description"], seen[-1]
    assert len(seen) > 100


# --- redirect URIs ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "uri",
    [
        "http://[::1",
        "http://[::1/callback",
        "http://127.0.0.1:99999/callback",
        "http://127.0.0.1:port/callback",
        "http://127.0.0.1/callback\r\nSet-Cookie: x=1",
        "http://127.0.0.1/call back",
        "https://bücher.example/callback",
        "",
    ],
)
def test_unusable_redirect_uri_is_invalid_redirect_uri(emu, uri):
    """A redirect URI that is no URI, or could split a Location header: 400, not a 500."""
    body = {
        "clientName": "x",
        "clientType": "public",
        "grantTypes": ["authorization_code"],
        "redirectUris": [uri],
    }
    status, code, _ = _oidc(emu, "/client/register", body)
    assert status == 400
    assert code in ("InvalidRedirectUriException", "InvalidRequestException")


@pytest.mark.parametrize(
    "used", ["http://[::1", "http://127.0.0.1/callback?\r\nSet-Cookie: x=1", "http://127.0.0.1:x/"]
)
def test_authorize_with_an_unusable_redirect_uri_is_a_400_page(emu, used):
    """GET /authorize never redirects to, or fails on, a redirect_uri that is no URI."""
    client = register(
        emu.client("sso-oidc"),
        grantTypes=["authorization_code"],
        redirectUris=["http://127.0.0.1/callback"],
    )
    query = urlencode({"client_id": client["clientId"], "redirect_uri": used})
    status, headers, _ = raw_request(emu.url, "GET", f"/authorize?{query}")
    assert status == 400
    assert "Location" not in headers


# --- huge and odd numbers ---------------------------------------------------------------


@pytest.mark.parametrize("value", ["9" * 5000, "²", "١٢٣", "-5", "1e3", " 1"])
def test_odd_max_result_is_invalid_request(emu, signed_in, value):
    """max_result that is not 1-100 in ASCII digits: 400 InvalidRequestException."""
    status, headers, answer = raw_request(
        emu.url,
        "GET",
        f"/assignment/accounts?max_result={quote(value)}",
        headers={BEARER: signed_in["accessToken"]},
    )
    assert (status, headers["x-amzn-ErrorType"]) == (400, "InvalidRequestException")
    assert "max_result" in json.loads(answer)["message"]


@pytest.mark.parametrize(
    "token",
    [
        base64.urlsafe_b64encode(_deep_array(5000)).decode(),
        base64.urlsafe_b64encode(b'{"listing": "accounts", "offset": true}').decode(),
        base64.urlsafe_b64encode(
            b'{"listing": "accounts", "offset": ' + b"9" * 5000 + b"}"
        ).decode(),
        base64.urlsafe_b64encode(b"\xff\xfe").decode(),
        "%%%",
    ],
    ids=["deep", "bool-offset", "huge-offset", "not-utf8", "not-base64"],
)
def test_forged_next_token_is_invalid_request(emu, signed_in, token):
    """A next_token we did not issue, however it is built: 400 InvalidRequestException."""
    status, headers, _ = raw_request(
        emu.url,
        "GET",
        f"/assignment/accounts?next_token={quote(token)}",
        headers={BEARER: signed_in["accessToken"]},
    )
    assert (status, headers["x-amzn-ErrorType"]) == (400, "InvalidRequestException")


def _assume(**fields):
    return {
        "Action": "AssumeRole",
        "Version": "2011-06-15",
        "RoleArn": "arn:aws:iam::222222222222:role/Deploy",
        "RoleSessionName": "alice",
        **fields,
    }


@pytest.mark.parametrize(
    "fields",
    [
        {"DurationSeconds": "9" * 5000},
        {"DurationSeconds": "²"},
        {"DurationSeconds": "٩٠٠"},
        {"DurationSeconds": "-900"},
        {"RoleSessionName": "alice\n"},
        {"RoleArn": "arn:aws:iam::222222222222:role/Deploy\n"},
        {"ExternalId": "ext-1\n"},
        {"RoleArn": "\x00\x01<&>"},
    ],
)
def test_bad_assume_role_values_are_validation_errors(emu, signed_in, fields):
    """Odd numbers, trailing newlines, control characters: 400 ValidationError, in XML that parses."""
    status, _, answer = _sts(emu, signed_in["creds"], _assume(**fields))
    assert status == 400
    assert _sts_error(answer) == "ValidationError"


@pytest.mark.parametrize("action", ["\x00\x1f", "\ufffe", "<Bad&Action>", "\udcff"])
def test_an_echoed_action_still_gives_parseable_xml(emu, signed_in, action):
    """An unknown Action is echoed in the error; control characters cannot break the XML."""
    form = f"Action={quote(action, errors='surrogatepass')}".encode()
    status, _, answer = _sts(emu, signed_in["creds"], form)
    assert status == 400
    assert _sts_error(answer) == "InvalidAction"


def test_sts_body_that_is_not_utf8_is_a_4xx(emu, signed_in):
    """A form body with invalid UTF-8 is read leniently and refused as a 400."""
    status, _, answer = _sts(emu, signed_in["creds"], b"Action=\xff\xfe&RoleArn=\x80")
    assert status == 400
    assert _sts_error(answer) == "InvalidAction"


# --- framing: Content-Length, Transfer-Encoding, the request target ---------------------


def _exchange(url: str, raw: bytes, half_close: bool = False):
    """Send ``raw`` bytes; the status, headers and body of the one answer."""
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
        sock.sendall(raw)
        if half_close:
            sock.shutdown(socket.SHUT_WR)
        response = http.client.HTTPResponse(sock)
        response.begin()
        return response.status, dict(response.getheaders()), response.read()


def _post(path: str, headers: str, body: bytes = b"") -> bytes:
    return f"POST {path} HTTP/1.1\r\nHost: x\r\n{headers}\r\n".encode() + body


@pytest.mark.parametrize(
    "headers",
    [
        "Content-Length: " + "9" * 5000 + "\r\n",
        "Content-Length: 2097152\r\n",
        "Content-Length: -1\r\n",
        "Content-Length: 1e3\r\n",
        "Content-Length: 2\r\nContent-Length: 3\r\n",
        "Transfer-Encoding: chunked\r\n",
    ],
    ids=["5000-digits", "over-1MiB", "negative", "float", "conflicting", "chunked"],
)
@pytest.mark.parametrize(
    ("path", "shape"),
    [("/token", "InvalidRequestException"), ("/logout", "InvalidRequestException"), ("/", "xml")],
)
def test_bad_framing_is_a_400_in_the_services_shape(emu, headers, path, shape):
    """Content-Length that is huge, malformed or doubled, or chunked bodies: 400, then close."""
    status, answer_headers, answer = _exchange(emu.url, _post(path, headers))
    assert status == 400
    if shape == "xml":
        assert _sts_error(answer) == "ValidationError"
    else:
        assert answer_headers["x-amzn-ErrorType"] == shape
    assert answer_headers.get("Connection") == "close"


def test_non_ascii_digits_in_content_length_are_refused(emu):
    """Content-Length "²" (which str.isdigit() accepts) is a 400."""
    raw = b"POST /token HTTP/1.1\r\nHost: x\r\nContent-Length: \xc2\xb2\r\n\r\n"
    assert _exchange(emu.url, raw)[0] == 400


def test_body_shorter_than_its_content_length_is_a_400(emu):
    """A client that sends less than it announced and stops sending gets a 400, not a hang."""
    raw = _post("/token", "Content-Length: 100\r\n", b'{"clientId": "x"')
    status, headers, _ = _exchange(emu.url, raw, half_close=True)
    assert (status, headers["x-amzn-ErrorType"]) == (400, "InvalidRequestException")


def test_missing_content_length_means_no_body(emu):
    """POST without Content-Length has an empty body: the operation's missing-field 400."""
    status, headers, answer = _exchange(emu.url, _post("/token", "Connection: close\r\n"))
    assert (status, headers["x-amzn-ErrorType"]) == (400, "InvalidRequestException")
    assert "clientId" in json.loads(answer)["error_description"]


@pytest.mark.parametrize("target", ["http://[::1/token", "http://[::1"])
def test_a_request_target_that_is_not_a_url_is_a_400(emu, target):
    """A request line naming no parseable URL gets a 400 answer, not a dropped connection."""
    raw = f"POST {target} HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n".encode()
    status, headers, _ = _exchange(emu.url, raw)
    assert (status, headers["x-amzn-ErrorType"]) == (400, "InvalidRequestException")


# --- everything at once -----------------------------------------------------------------

_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=20)
    | st.sampled_from(["9" * 5000, "²", "http://[::1", "\r\n", "\x00", "public", DEVICE_GRANT])
)
_json = st.recursive(
    _scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=12,
)
_field_names = st.sampled_from(
    [
        "clientId",
        "clientSecret",
        "clientName",
        "clientType",
        "grantType",
        "grantTypes",
        "scopes",
        "redirectUris",
        "deviceCode",
        "code",
        "codeVerifier",
        "redirectUri",
        "refreshToken",
        "startUrl",
        "userCode",
        "Action",
        "RoleArn",
        "RoleSessionName",
        "ExternalId",
        "DurationSeconds",
        "Version",
        "user_code",
        "decision",
        "request_id",
    ]
)
_texts = st.text(max_size=30) | st.sampled_from(
    ["AssumeRole", "GetCallerIdentity", "9" * 5000, "²", "-1", "\x00", "arn:aws:iam::1:role/x"]
)
_bodies = st.one_of(
    st.binary(max_size=300),
    _json.map(lambda value: json.dumps(value).encode()),
    st.dictionaries(_field_names, _json, max_size=6).map(lambda d: json.dumps(d).encode()),
    st.dictionaries(_field_names, _texts, max_size=6).map(lambda d: urlencode(d).encode()),
    st.integers(min_value=1, max_value=DEEP).map(_deep_array),
    st.integers(min_value=1, max_value=DEEP).map(lambda d: b'{"a":' * d + b"0" + b"}" * d),
    st.text(max_size=50).map(lambda t: t.encode("utf-16")),
)
_queries = st.dictionaries(
    st.sampled_from(
        [
            "account_id",
            "role_name",
            "max_result",
            "next_token",
            "client_id",
            "redirect_uri",
            "response_type",
            "code_challenge",
            "code_challenge_method",
            "scopes",
            "state",
            "user_code",
            "Action",
        ]
    ),
    _texts,
    max_size=5,
)
# Every operation, page and control endpoint; logout is sent with a made-up token so the
# session the other examples use stays signed in.
_targets = st.sampled_from(
    [
        ("POST", "/client/register"),
        ("POST", "/device_authorization"),
        ("POST", "/token"),
        ("GET", "/federation/credentials"),
        ("GET", "/assignment/accounts"),
        ("GET", "/assignment/roles"),
        ("POST", "/logout"),
        ("POST", "/"),
        ("GET", "/authorize"),
        ("POST", "/authorize"),
        ("GET", "/device"),
        ("POST", "/device"),
        ("POST", "/_emulator/approve"),
        ("POST", "/_emulator/deny"),
        ("GET", "/_emulator/stats"),
        ("GET", "/_emulator/start-urls"),
        ("GET", "/"),
        ("HEAD", "/vanity/mycorp"),
        ("POST", "/vanity"),
    ]
)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(target=_targets, query=_queries, body=_bodies, signed=st.booleans())
def test_generated_requests_never_get_a_5xx(emu, signed_in, target, query, body, signed):
    """Any body and query at any operation, signed in or not: an answer below 500."""
    method, path = target
    headers = {"Content-Type": "application/x-amz-json-1.1"}
    if signed and path != "/logout":
        creds = signed_in["creds"]
        headers[BEARER] = signed_in["accessToken"]
        headers["Authorization"] = f"AWS4-HMAC-SHA256 Credential={creds['accessKeyId']}/x"
        headers["X-Amz-Security-Token"] = creds["sessionToken"]
    else:
        headers[BEARER] = "aoa-made-up"
    url = f"{path}?{urlencode(query)}" if query else path
    status, answer_headers, answer = raw_request(emu.url, method, url, body, headers)
    assert status < 500, answer[:300]
    if path == "/" and method == "POST" and status >= 400:
        assert _sts_error(answer)  # the query protocol's XML, and it parses
    elif path in (*OIDC_ROUTES, *PORTAL_GETS, "/logout") and status >= 400:
        assert answer_headers["x-amzn-ErrorType"].endswith("Exception")
