"""The console federation endpoint (``https://signin.aws.amazon.com/federation``): a sign-in to
the AWS console for temporary credentials, as the IAM User Guide's "Enable custom identity
broker access to the AWS console" describes it.

``Action=getSigninToken`` (GET with a query, or POST with a form body; AWS takes both):
``Session`` is the JSON ``{"sessionId", "sessionKey", "sessionToken"}`` of credentials the
emulator issued that have not expired. The answer is ``{"SigninToken": "..."}``, good for
``signin_token_ttl`` (15 minutes: AWS's lifetime of the login URL). ``SessionDuration``
(900 to 43200 seconds) is optional, and refused for credentials from role chaining, which AWS
answers with a 400 (Knowledge Center, "invalid-credentials-parameter").

``Action=login``: with a valid ``SigninToken`` and a ``Destination``, the real endpoint sets the
console's cookies and redirects to ``Destination``. The emulator answers a page naming the
role session instead: ``Destination`` is the real AWS console.

Every refusal is a 400 with a short page saying why (the real endpoint answers 400; aws-vault,
granted and aws-sso-util look only at the status). No answer echoes a value of ``Session``.
"""

from __future__ import annotations

import json
import re
import secrets
from urllib.parse import urlsplit

from devcreds.emulator import pages
from devcreds.emulator.state import IssuedCredentials, SigninToken, State
from devcreds.emulator.wire import FederationError, Request, Response, html_response, json_response

ACTIONS = ("getSigninToken", "login")
_SMALL_NUMBER = re.compile(r"[0-9]{1,6}")  # ASCII digits: str.isdigit() also takes "²"
_ROLE_IN_ARN = re.compile(r":assumed-role/([^/]+)/")
_SESSION_FIELDS = ("sessionId", "sessionKey", "sessionToken")


def operation(request: Request) -> str:
    """The Action, as counted in the stats (anything else counts as one name)."""
    action = request.form().get("Action", "")
    return action if action in ACTIONS else "UnknownAction"


def handle(state: State, request: Request) -> Response:
    form = request.form()
    action = form.get("Action", "")
    if action == "getSigninToken":
        return _signin_token(state, form)
    if action == "login":
        return _login(state, form)
    raise _bad("Action must be getSigninToken or login.")


def _bad(message: str) -> FederationError:
    return FederationError("BadRequest", 400, message)


def _signin_token(state: State, form: dict[str, str]) -> Response:
    issued = _session_credentials(state, form.get("Session"))
    duration = None
    raw = form.get("SessionDuration")
    if raw is not None:
        if not _SMALL_NUMBER.fullmatch(raw) or not 900 <= int(raw) <= 43200:
            raise _bad("SessionDuration must be between 900 and 43200 seconds.")
        if issued.chained:
            raise _bad("SessionDuration cannot be used with credentials from role chaining.")
        duration = int(raw)
    now = state.now()
    for stale in [t for t, r in state.signin_tokens.items() if r.expires_at <= now]:
        del state.signin_tokens[stale]
    token = secrets.token_urlsafe(192)
    state.signin_tokens[token] = SigninToken(
        token, issued, now + state.config.signin_token_ttl, duration
    )
    return json_response({"SigninToken": token})


def _session_credentials(state: State, raw: str | None) -> IssuedCredentials:
    if not raw:
        raise _bad("Session is required: the JSON of sessionId, sessionKey and sessionToken.")
    try:
        session = json.loads(raw)
    except (ValueError, RecursionError):
        raise _bad("Session is not JSON.") from None
    fields = session if isinstance(session, dict) else {}
    values = [v for v in (fields.get(name) for name in _SESSION_FIELDS) if isinstance(v, str) and v]
    if len(values) != len(_SESSION_FIELDS):
        raise _bad("Session must hold the strings sessionId, sessionKey and sessionToken.")
    key_id, secret, session_token = values
    issued = state.credentials.get(key_id)
    if (
        issued is None
        or not _same(secret, issued.secret_access_key)
        or not _same(session_token, issued.session_token)
    ):
        raise _bad("The credentials in Session are not valid.")
    if issued.expires_at <= state.now():
        raise _bad("The credentials in Session have expired.")
    return issued


def _same(given: str, expected: str) -> bool:
    # JSON may carry lone surrogates, which plain UTF-8 refuses to encode.
    return secrets.compare_digest(
        given.encode("utf-8", "surrogatepass"), expected.encode("utf-8", "surrogatepass")
    )


def _login(state: State, form: dict[str, str]) -> Response:
    value = form.get("SigninToken", "")
    record = state.signin_tokens.get(value) if value else None
    now = state.now()
    if record is None or record.expires_at <= now:
        raise _bad("The SigninToken is not valid or has expired (it lasts 15 minutes).")
    issued = record.credentials
    if issued.expires_at <= now:
        raise _bad("The credentials this SigninToken was made from have expired.")
    destination = form.get("Destination", "")
    try:
        parts = urlsplit(destination)
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.netloc:
        raise _bad("Destination must be the URL of a console page.")
    match = _ROLE_IN_ARN.search(issued.arn)
    account = state.directory.get(issued.account_id)
    page = pages.console_signed_in(
        issued.account_id,
        account.name if account is not None else None,
        match.group(1) if match else issued.arn,
        issued.arn,
        destination,
    )
    return html_response(page)
