"""SSO OIDC: client registration, the device and authorization-code (PKCE) grants, refresh.

Operations follow the ``sso-oidc`` model and docs/protocol.md §1: epoch *seconds*
in RegisterClient, ``x-amzn-ErrorType`` plus ``error``/``error_description``
on errors, ``slow_down`` for fast pollers, one-time codes, rotating refresh
tokens. Every handler runs with ``state.lock`` held by the caller.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from typing import Any
from urllib.parse import SplitResult, urlencode, urlsplit

from devcreds.emulator import pages
from devcreds.emulator.state import (
    AccessToken,
    AuthCode,
    AuthRequest,
    DeviceAuthorization,
    RefreshToken,
    Registration,
    Session,
    State,
)
from devcreds.emulator.wire import (
    OidcError,
    Request,
    Response,
    html_response,
    json_response,
    redirect,
)

DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
AUTH_CODE_GRANT = "authorization_code"
REFRESH_GRANT = "refresh_token"
_REGISTRABLE_GRANTS = {
    DEVICE_GRANT,
    AUTH_CODE_GRANT,
    REFRESH_GRANT,
    "urn:ietf:params:oauth:grant-type:jwt-bearer",
    "urn:ietf:params:oauth:grant-type:token-exchange",
}
# A registration that names no grant types is a device-flow client (what the AWS CLI sends).
_DEFAULT_GRANTS = frozenset({DEVICE_GRANT, REFRESH_GRANT})
# Identity Center hands out refresh tokens only to clients that asked for this scope.
REFRESH_SCOPE = "sso:account:access"
_SCOPE = re.compile(r"^[A-Za-z0-9_.-]+:[A-Za-z0-9_.:*-]+$")
_VERIFIER = re.compile(r"^[A-Za-z0-9._~-]{43,128}$")
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}


def _invalid(message: str) -> OidcError:
    return OidcError("InvalidRequestException", message)


def _body(request: Request) -> dict[str, Any]:
    payload = parse_json(request.body)
    if payload is _NOT_JSON:
        raise _invalid("The request body is not valid JSON.")
    if not isinstance(payload, dict):
        raise _invalid("The request body must be a JSON object.")
    return payload


_NOT_JSON = object()


def parse_json(body: bytes) -> Any:
    """The JSON value of ``body`` (``{}`` when empty), or ``_NOT_JSON``.

    Not JSON: bad syntax or encoding, integers past Python's digit limit, and nesting
    deeper than the decoder's recursion limit (``[[[[...`` a hundred thousand deep).
    """
    try:
        return json.loads(body or b"{}")
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
        return _NOT_JSON


def _required(payload: dict[str, Any], name: str) -> str:
    value = payload.get(name)
    if not isinstance(value, str) or not value:
        raise _invalid(f"Missing or invalid required parameter: {name}.")
    return value


def _string_list(payload: dict[str, Any], name: str) -> tuple[str, ...]:
    value = payload.get(name, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise _invalid(f"Parameter {name} must be a list of strings.")
    return tuple(value)


def _check_scopes(scopes: tuple[str, ...]) -> None:
    for scope in scopes:
        if not _SCOPE.fullmatch(scope):
            raise OidcError("InvalidScopeException", f"Invalid scope: {scope}")


def _authenticate(state: State, payload: dict[str, Any]) -> Registration:
    client_id = _required(payload, "clientId")
    client_secret = _required(payload, "clientSecret")
    registration = state.registrations.get(client_id)
    if registration is None or registration.client_secret != client_secret:
        raise OidcError("InvalidClientException", "Invalid client credentials.")
    if registration.expires_at <= state.now():
        raise OidcError("InvalidClientException", "The client registration has expired.")
    return registration


def register_client(state: State, request: Request) -> Response:
    payload = _body(request)
    _required(payload, "clientName")
    client_type = _required(payload, "clientType")
    if client_type != "public":
        raise OidcError("InvalidClientMetadataException", "Only clientType 'public' is supported.")
    scopes = _string_list(payload, "scopes")
    _check_scopes(scopes)
    grant_types = _string_list(payload, "grantTypes")
    for grant in grant_types:
        if grant not in _REGISTRABLE_GRANTS:
            raise OidcError("UnsupportedGrantTypeException", f"Unsupported grant type: {grant}")
    redirect_uris = _string_list(payload, "redirectUris")
    for uri in redirect_uris:
        if not _acceptable_redirect(uri):
            raise OidcError(
                "InvalidRedirectUriException",
                f"Redirect URI must be https, or http on a loopback address: {uri}",
            )
    if AUTH_CODE_GRANT in grant_types and not redirect_uris:
        raise _invalid("The authorization_code grant needs redirectUris.")
    issuer_url = payload.get("issuerUrl")
    if issuer_url is not None and (not isinstance(issuer_url, str) or not issuer_url):
        raise _invalid("Parameter issuerUrl must be a string.")
    now = int(state.now())
    registration = Registration(
        client_id=state.token("cid-", 24),
        client_secret=state.token("csec-", 48),
        scopes=scopes,
        grant_types=frozenset(grant_types) or _DEFAULT_GRANTS,
        redirect_uris=redirect_uris,
        issued_at=now,
        expires_at=now + state.config.registration_ttl,
    )
    state.registrations[registration.client_id] = registration
    if issuer_url:
        state.start_urls[issuer_url] += 1
    base = request.base_url
    return json_response(
        {
            "clientId": registration.client_id,
            "clientSecret": registration.client_secret,
            "clientIdIssuedAt": registration.issued_at,  # epoch seconds, unlike the portal's ms
            "clientSecretExpiresAt": registration.expires_at,
            "authorizationEndpoint": f"{base}/authorize",
            "tokenEndpoint": f"{base}/token",
        }
    )


def start_device_authorization(state: State, request: Request) -> Response:
    payload = _body(request)
    registration = _authenticate(state, payload)
    start_url = _required(payload, "startUrl")
    if DEVICE_GRANT not in registration.grant_types:
        raise OidcError("UnauthorizedClientException", "The client may not use the device grant.")
    config = state.config
    device = DeviceAuthorization(
        device_code=state.token("dc-", 48),
        user_code=state.new_user_code(),
        client_id=registration.client_id,
        start_url=start_url,
        expires_at=state.now() + config.device_code_ttl,
        status="approved" if config.auto_approve else "pending",
    )
    state.devices[device.device_code] = device
    state.start_urls[start_url] += 1
    state.user_codes[device.user_code] = device
    verification_uri = f"{request.base_url}/device"
    return json_response(
        {
            "deviceCode": device.device_code,
            "userCode": device.user_code,
            "verificationUri": verification_uri,
            "verificationUriComplete": f"{verification_uri}?user_code={device.user_code}",
            "expiresIn": config.device_code_ttl,
            "interval": config.interval,
        }
    )


def create_token(state: State, request: Request) -> Response:
    payload = _body(request)
    grant = payload.get("grantType")
    if isinstance(grant, str):
        state.grants[grant.rsplit(":", 1)[-1]] += 1  # device_code, authorization_code, ...
    registration = _authenticate(state, payload)
    grant = _required(payload, "grantType")
    handlers = {
        DEVICE_GRANT: _device_grant,
        AUTH_CODE_GRANT: _auth_code_grant,
        REFRESH_GRANT: _refresh_grant,
    }
    handler = handlers.get(grant)
    if handler is None:
        raise OidcError("UnsupportedGrantTypeException", f"Unsupported grant type: {grant}")
    if grant not in registration.grant_types:
        raise OidcError("UnauthorizedClientException", f"The client may not use {grant}.")
    return json_response(handler(state, registration, payload))


def _device_grant(state: State, client: Registration, payload: dict[str, Any]) -> dict[str, Any]:
    device = state.devices.get(_required(payload, "deviceCode"))
    if device is None or device.client_id != client.client_id:
        raise OidcError("InvalidGrantException", "Invalid device code provided.")
    now = state.now()
    last_poll, device.last_poll = device.last_poll, now
    if device.status == "redeemed":
        raise OidcError("InvalidGrantException", "The device code was already used.")
    if now >= device.expires_at:
        raise OidcError("ExpiredTokenException", "The device code has expired.")
    if device.status == "denied":
        raise OidcError("AccessDeniedException", "The user denied the authorization request.")
    if last_poll is not None and now - last_poll < state.config.interval:
        raise OidcError("SlowDownException", "Client is polling too fast.")
    if device.status == "pending":
        raise OidcError("AuthorizationPendingException", "Authorization is still pending.")
    device.status = "redeemed"
    return _tokens(state, _sign_in(state, client.client_id, client.scopes))


def _auth_code_grant(state: State, client: Registration, payload: dict[str, Any]) -> dict[str, Any]:
    code = state.auth_codes.get(_required(payload, "code"))
    redirect_uri = _required(payload, "redirectUri")
    verifier = _required(payload, "codeVerifier")
    if code is None or code.client_id != client.client_id:
        raise OidcError("InvalidGrantException", "Invalid authorization code provided.")
    if code.session_id is not None:
        # RFC 6749 §4.1.2: a replayed code revokes what it was first exchanged for.
        state.sessions[code.session_id].revoked = True
        raise OidcError("InvalidGrantException", "The authorization code was already used.")
    if state.now() >= code.expires_at:
        raise OidcError("ExpiredTokenException", "The authorization code has expired.")
    if redirect_uri != code.redirect_uri:
        raise OidcError("InvalidGrantException", "redirectUri does not match the authorize call.")
    if not _VERIFIER.fullmatch(verifier) or pkce_challenge(verifier) != code.challenge:
        raise OidcError("InvalidGrantException", "The code verifier does not match.")
    session = _sign_in(state, client.client_id, code.scopes)
    code.session_id = session.session_id
    return _tokens(state, session)


def _refresh_grant(state: State, client: Registration, payload: dict[str, Any]) -> dict[str, Any]:
    refresh = state.refresh_tokens.get(_required(payload, "refreshToken"))
    if (
        refresh is None
        or refresh.used
        or refresh.client_id != client.client_id
        or refresh.session.revoked
        or refresh.session.expires_at <= state.now()
    ):
        raise OidcError("InvalidGrantException", "Invalid refresh token provided.")
    refresh.used = True  # rotation: each refresh token works once
    return _tokens(state, refresh.session)


def _sign_in(state: State, client_id: str, scopes: tuple[str, ...]) -> Session:
    session = Session(
        session_id=state.token("sess-", 12),
        client_id=client_id,
        scopes=scopes,
        expires_at=state.now() + state.config.session_ttl,
    )
    state.sessions[session.session_id] = session
    return session


def _tokens(state: State, session: Session) -> dict[str, Any]:
    now = state.now()
    lifetime = max(1, int(min(state.config.token_ttl, session.expires_at - now)))
    access = state.token("aoa", 96)
    state.access_tokens[access] = AccessToken(session, now + lifetime)
    tokens: dict[str, Any] = {"accessToken": access, "tokenType": "Bearer", "expiresIn": lifetime}
    if REFRESH_SCOPE in session.scopes:
        refresh = state.token("aor", 96)
        state.refresh_tokens[refresh] = RefreshToken(session, session.client_id)
        tokens["refreshToken"] = refresh
    return tokens


def pkce_challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


# A redirect URI ends up in a Location header: printable ASCII only (no CR LF, no spaces).
_URI_CHARACTERS = re.compile(r"[\x21-\x7e]+")


def _split_uri(uri: str) -> SplitResult | None:
    """``uri`` split, or None when it is no URI (``http://[::1``, a bad port, CR LF)."""
    if not _URI_CHARACTERS.fullmatch(uri):
        return None
    try:
        parts = urlsplit(uri)
        parts.port  # noqa: B018 - raises ValueError for a port that is not one
    except ValueError:
        return None
    return parts


def _acceptable_redirect(uri: str) -> bool:
    parts = _split_uri(uri)
    if parts is None:
        return False
    if parts.scheme == "https" and parts.hostname:
        return True
    return parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS


def _redirect_matches(registered: str, used: str) -> bool:
    r, u = _split_uri(registered), _split_uri(used)
    if r is None or u is None:
        return False
    if (r.scheme, r.hostname, r.path) != (u.scheme, u.hostname, u.path):
        return False
    r_port, u_port = r.port, u.port
    # RFC 8252 §7.3: a loopback redirect registered without a port matches any port.
    return (r_port is None and r.hostname in LOOPBACK_HOSTS) or r_port == u_port


def _with_query(uri: str, params: dict[str, str]) -> str:
    return uri + ("&" if "?" in uri else "?") + urlencode(params)


def authorize(state: State, request: Request) -> Response:
    """GET /authorize: check the request, then consent page (or straight back with a code)."""
    client = state.registrations.get(request.param("client_id") or "")
    redirect_uri = request.param("redirect_uri") or ""
    if client is None or client.expires_at <= state.now():
        return html_response(pages.message("Unknown client", "No such client_id."), 400)
    if not any(_redirect_matches(r, redirect_uri) for r in client.redirect_uris):
        # Never redirect to an address the client did not register (RFC 6749 §4.1.2.1).
        return html_response(pages.message("Bad redirect", "redirect_uri is not registered."), 400)
    callback_state = request.param("state") or ""
    scopes = tuple((request.param("scopes") or "").split())
    error = None
    if request.param("response_type") != "code":
        error = ("unsupported_response_type", "response_type must be code")
    elif request.param("code_challenge_method") != "S256" or not request.param("code_challenge"):
        error = ("invalid_request", "PKCE with code_challenge_method=S256 is required")
    elif AUTH_CODE_GRANT not in client.grant_types:
        error = ("unauthorized_client", "the client is not registered for authorization_code")
    elif not all(_SCOPE.fullmatch(s) for s in scopes):
        error = ("invalid_scope", "invalid scopes")
    if error:
        params = {"error": error[0], "error_description": error[1], "state": callback_state}
        return redirect(_with_query(redirect_uri, params))
    pending = AuthRequest(
        request_id=state.token("areq-", 18),
        client_id=client.client_id,
        redirect_uri=redirect_uri,
        state=callback_state,
        challenge=request.param("code_challenge") or "",
        scopes=scopes or client.scopes,
        expires_at=state.now() + state.config.device_code_ttl,
    )
    if state.config.auto_approve:
        return _grant_code(state, pending)
    state.auth_requests[pending.request_id] = pending
    return html_response(pages.authorize(pending.request_id, client.client_id, scopes))


def decide_authorize(state: State, request: Request) -> Response:
    """POST /authorize: the Allow or Deny button of the consent page."""
    form = request.form()
    pending = state.auth_requests.pop(form.get("request_id", ""), None)
    if pending is None or pending.expires_at <= state.now():
        return html_response(pages.message("Expired", "This sign-in request is not valid."), 400)
    if form.get("decision") != "allow":
        params = {
            "error": "access_denied",
            "error_description": "The user denied the request.",
            "state": pending.state,
        }
        return redirect(_with_query(pending.redirect_uri, params))
    return _grant_code(state, pending)


def _grant_code(state: State, pending: AuthRequest) -> Response:
    code = AuthCode(
        code=state.token("code-", 32),
        client_id=pending.client_id,
        redirect_uri=pending.redirect_uri,
        challenge=pending.challenge,
        scopes=pending.scopes,
        expires_at=state.now() + state.config.device_code_ttl,
    )
    state.auth_codes[code.code] = code
    return redirect(_with_query(pending.redirect_uri, {"code": code.code, "state": pending.state}))


class DecisionError(Exception):
    """A user code that cannot be approved or denied; ``status`` is the HTTP status to answer."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def decide_device(state: State, user_code: str, allow: bool) -> str:
    """Approve or deny the device authorization behind ``user_code``; returns its new status."""
    device = state.user_codes.get(user_code.strip().upper())
    if device is None:
        raise DecisionError(404, f"Unknown user code: {user_code}")
    if device.expires_at <= state.now():
        raise DecisionError(400, f"User code {device.user_code} has expired.")
    if device.status != "pending":
        raise DecisionError(409, f"User code {device.user_code} is already {device.status}.")
    device.status = "approved" if allow else "denied"
    return device.status


def device_page(state: State, request: Request) -> Response:
    """GET /device: the verification page the user opens from ``verificationUriComplete``."""
    return html_response(pages.device(request.param("user_code") or ""))


def decide_device_page(state: State, request: Request) -> Response:
    """POST /device: the Allow or Deny button of the verification page."""
    form = request.form()
    try:
        status = decide_device(state, form.get("user_code", ""), form.get("decision") == "allow")
    except DecisionError as exc:
        return html_response(pages.message("Not possible", str(exc)), exc.status)
    if status == "approved":
        return html_response(pages.message("Request approved", "You can close this window."))
    return html_response(pages.message("Request denied", "The device was not signed in."))
