"""STS (query protocol, XML answers): AssumeRole and GetCallerIdentity.

Signatures are not checked; the caller is the emulator-issued access key
named in the SigV4 ``Credential=`` scope, and its session token must match.
"""

from __future__ import annotations

import re
import time
from xml.sax.saxutils import escape

from devcreds.emulator.state import IssuedCredentials, State, role_id
from devcreds.emulator.wire import Request, Response, StsError, request_id

_XMLNS = "https://sts.amazonaws.com/doc/2011-06-15/"
_CREDENTIAL = re.compile(r"Credential=([A-Za-z0-9]+)/")
_ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::(\d{12}):role/((?:[\w+=,.@-]+/)*([\w+=,.@-]{1,64}))$")
_SESSION_NAME = re.compile(r"^[\w+=,.@-]{2,64}$")
_EXTERNAL_ID = re.compile(r"^[\w+=,.@:/-]{2,1224}$")
_SMALL_NUMBER = re.compile(r"[0-9]{1,6}")


def operation(request: Request) -> str:
    return request.form().get("Action", "") or "UnknownAction"


def handle(state: State, request: Request) -> Response:
    form = request.form()
    action = form.get("Action", "")
    if action == "AssumeRole":
        return _assume_role(state, request, form)
    if action == "GetCallerIdentity":
        caller = _caller(state, request, form)
        result = (
            f"<Arn>{escape(caller.arn)}</Arn><UserId>{escape(caller.user_id)}</UserId>"
            f"<Account>{caller.account_id}</Account>"
        )
        return _xml("GetCallerIdentity", result)
    raise StsError(
        "InvalidAction", 400, f"Could not find operation {action} for version 2011-06-15"
    )


def _caller(state: State, request: Request, form: dict[str, str]) -> IssuedCredentials:
    match = _CREDENTIAL.search(request.headers.get("authorization", ""))
    key_id = match.group(1) if match else form.get("X-Amz-Credential", "").split("/")[0]
    if not key_id:
        raise StsError("MissingAuthenticationToken", 403, "Request is missing Authentication Token")
    issued = state.credentials.get(key_id)
    token = request.headers.get("x-amz-security-token") or form.get("X-Amz-Security-Token")
    if issued is None or token != issued.session_token:
        raise StsError(
            "InvalidClientTokenId", 403, "The security token included in the request is invalid."
        )
    if issued.expires_at <= state.now():
        raise StsError("ExpiredToken", 400, "The security token included in the request is expired")
    return issued


def _validation(message: str) -> StsError:
    return StsError("ValidationError", 400, message)


def _assume_role(state: State, request: Request, form: dict[str, str]) -> Response:
    caller = _caller(state, request, form)
    role_arn = form.get("RoleArn", "")
    arn = _ROLE_ARN.fullmatch(role_arn)
    if arn is None:
        raise _validation(f"{role_arn!r} is not a valid role ARN (roleArn).")
    session_name = form.get("RoleSessionName", "")
    if not _SESSION_NAME.fullmatch(session_name):
        raise _validation("roleSessionName must be 2-64 characters of letters, digits and +=,.@_-.")
    external_id = form.get("ExternalId")
    if external_id is not None and not _EXTERNAL_ID.fullmatch(external_id):
        raise _validation("externalId must be 2-1224 characters of letters, digits and +=,.@:/-.")
    lifetime = state.config.credentials_ttl
    if "DurationSeconds" in form:
        raw = form["DurationSeconds"]
        # ASCII digits, a few of them: "²" passes str.isdigit(), 5000 digits break int().
        if not _SMALL_NUMBER.fullmatch(raw) or not 900 <= int(raw) <= 43200:
            raise _validation("durationSeconds must be between 900 and 43200.")
        lifetime = int(raw)
    account_id, role_path, role_name = arn.groups()
    if account_id not in state.directory:
        raise StsError(
            "AccessDenied",
            403,
            f"User: {caller.arn} is not authorized to perform: sts:AssumeRole "
            f"on resource: {role_arn}",
        )
    assumed_id = role_id(account_id, role_path)
    issued = state.issue_credentials(
        account_id=account_id,
        arn=f"arn:aws:sts::{account_id}:assumed-role/{role_name}/{session_name}",
        role_id=assumed_id,
        lifetime=lifetime,
        external_id=external_id,
        # The caller is always a role session here (SSO role credentials or an assumed role).
        chained=True,
    )
    expiration = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(issued.expires_at))
    result = (
        f"<Credentials><AccessKeyId>{issued.access_key_id}</AccessKeyId>"
        f"<SecretAccessKey>{escape(issued.secret_access_key)}</SecretAccessKey>"
        f"<SessionToken>{escape(issued.session_token)}</SessionToken>"
        f"<Expiration>{expiration}</Expiration></Credentials>"
        f"<AssumedRoleUser><AssumedRoleId>{escape(issued.user_id)}</AssumedRoleId>"
        f"<Arn>{escape(issued.arn)}</Arn></AssumedRoleUser>"
    )
    return _xml("AssumeRole", result)


def _xml(action: str, result: str) -> Response:
    rid = request_id()
    body = (
        f'<{action}Response xmlns="{_XMLNS}"><{action}Result>{result}</{action}Result>'
        f"<ResponseMetadata><RequestId>{rid}</RequestId></ResponseMetadata></{action}Response>"
    )
    return Response(200, body.encode(), {"Content-Type": "text/xml", "x-amzn-RequestId": rid})
