"""Cache file names as the AWS CLI and botocore compute them (PROTOCOL.md §5).

Tiny on purpose: the cached ``export`` path uses it before anything else loads.
"""

from __future__ import annotations

import json

TYPE_CHECKING = False  # as typing.TYPE_CHECKING, without importing typing (3 ms)

if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

_sha1: Callable[[bytes], Any]
try:  # the built-in module: hashlib's OpenSSL start-up costs about a third of a Python start
    from _sha1 import sha1 as _sha1  # type: ignore[import-not-found,no-redef]
except ImportError:  # Pythons built without it
    from hashlib import sha1 as _sha1


def sha1_hex(text: str) -> str:
    """sha1 as a file name, as the AWS CLI does (not for security)."""
    digest: str = _sha1(text.encode()).hexdigest()  # noqa: S324 - a name, not a safeguard
    return digest


def role_credentials_key(
    role_name: str, account_id: str, session_name: str | None, start_url: str
) -> str:
    """The SSO role-credential cache key: compact sorted JSON of the role's arguments."""
    args = {"roleName": role_name, "accountId": account_id}
    if session_name is not None:
        args["sessionName"] = session_name
    else:
        args["startUrl"] = start_url
    return sha1_hex(json.dumps(args, sort_keys=True, separators=(",", ":")))


def registration_key(
    start_url: str, region: str, scopes: tuple[str, ...] | None, session_name: str | None
) -> str:
    """botocore's client-registration key, with json's default separators."""
    args = {
        "tool": "botocore",
        "startUrl": start_url,
        "region": region,
        "scopes": list(scopes) if scopes is not None else None,
        "session_name": session_name,
    }
    return sha1_hex(json.dumps(args, sort_keys=True))


def assume_role_key(arguments: dict[str, object]) -> str:
    """botocore's assume-role cache key: RoleArn and the configured optional arguments."""
    return sha1_hex(json.dumps(arguments, sort_keys=True))
