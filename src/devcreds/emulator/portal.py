"""SSO portal: role credentials, account and role listings, logout.

The access token arrives in ``x-amz-sso_bearer_token`` (underscore and all);
``expiration`` is epoch *milliseconds* here, unlike OIDC's seconds.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from typing import Any

from devcreds.emulator.state import USER_NAME, AccessToken, State, role_id
from devcreds.emulator.wire import PortalError, Request, Response, empty_response, json_response

BEARER_HEADER = "x-amz-sso_bearer_token"
_SMALL_NUMBER = re.compile(r"[0-9]{1,4}")


def _invalid(message: str) -> PortalError:
    return PortalError("InvalidRequestException", 400, message)


def _signed_in(state: State, request: Request) -> AccessToken:
    access = state.access_tokens.get(request.headers.get(BEARER_HEADER, ""))
    if access is None or access.expires_at <= state.now() or access.session.revoked:
        # The real service's wording, which botocore turns into UnauthorizedSSOTokenError.
        raise PortalError("UnauthorizedException", 401, "Session token not found or invalid")
    return access


def _required_param(request: Request, name: str) -> str:
    value = request.param(name)
    if not value:
        raise _invalid(f"Missing required parameter: {name}")
    return value


def get_role_credentials(state: State, request: Request) -> Response:
    _signed_in(state, request)
    role_name = _required_param(request, "role_name")
    account_id = _required_param(request, "account_id")
    account = state.directory.get(account_id)
    if account is None or role_name not in account.roles:
        raise PortalError("ForbiddenException", 403, "No access")
    suffix = hashlib.sha256(f"{account_id}/{role_name}".encode()).hexdigest()[:16]
    role = f"AWSReservedSSO_{role_name}_{suffix}"
    issued = state.issue_credentials(
        account_id=account_id,
        arn=f"arn:aws:sts::{account_id}:assumed-role/{role}/{USER_NAME}",
        role_id=role_id(account_id, role),
        lifetime=state.config.credentials_ttl,
    )
    return json_response(
        {
            "roleCredentials": {
                "accessKeyId": issued.access_key_id,
                "secretAccessKey": issued.secret_access_key,
                "sessionToken": issued.session_token,
                "expiration": int(issued.expires_at * 1000),
            }
        }
    )


def list_accounts(state: State, request: Request) -> Response:
    _signed_in(state, request)
    accounts = [
        {"accountId": a.account_id, "accountName": a.name, "emailAddress": a.email}
        for a in state.directory.values()
    ]
    page, next_token = _paginate(state, request, accounts, "accounts")
    return json_response({"nextToken": next_token, "accountList": page})


def list_account_roles(state: State, request: Request) -> Response:
    _signed_in(state, request)
    account_id = _required_param(request, "account_id")
    account = state.directory.get(account_id)
    if account is None:
        raise PortalError("ResourceNotFoundException", 404, "Account not found")
    roles = [{"roleName": r, "accountId": account_id} for r in account.roles]
    page, next_token = _paginate(state, request, roles, f"roles/{account_id}")
    return json_response({"nextToken": next_token, "roleList": page})


def logout(state: State, request: Request) -> Response:
    # Ends the whole portal session: its access and refresh tokens stop working;
    # role credentials already issued stay valid until they expire.
    _signed_in(state, request).session.revoked = True
    return empty_response()


def _paginate(
    state: State, request: Request, items: list[dict[str, Any]], listing: str
) -> tuple[list[dict[str, Any]], str | None]:
    size = state.config.page_size
    raw_size = request.param("max_result")
    if raw_size is not None:
        # ASCII digits only: str.isdigit() also takes "²", which int() refuses.
        if not _SMALL_NUMBER.fullmatch(raw_size) or not 1 <= int(raw_size) <= 100:
            raise _invalid("max_result must be between 1 and 100")
        size = int(raw_size)
    start = 0
    raw_token = request.param("next_token")
    if raw_token:
        start = _decode_token(raw_token, listing)
        if start > len(items):
            raise _invalid("Invalid next_token")
    end = start + size
    return items[start:end], _encode_token(end, listing) if end < len(items) else None


def _encode_token(offset: int, listing: str) -> str:
    raw = json.dumps({"listing": listing, "offset": offset}).encode()
    return base64.urlsafe_b64encode(raw).decode()


def _decode_token(token: str, listing: str) -> int:
    try:
        decoded = json.loads(base64.urlsafe_b64decode(token.encode()))
    except (ValueError, binascii.Error, RecursionError):  # RecursionError: [[[[... nested deep
        raise _invalid("Invalid next_token") from None
    if (
        not isinstance(decoded, dict)
        or decoded.get("listing") != listing
        or type(decoded.get("offset")) is not int  # not a bool either
        or decoded["offset"] < 0
    ):
        raise _invalid("Invalid next_token")
    offset: int = decoded["offset"]
    return offset
