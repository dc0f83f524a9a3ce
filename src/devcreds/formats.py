"""Credentials as text for ``export``: credential_process JSON, shells, .env, JSON.

Stdlib only: the cached ``export`` path prints through here.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Callable

from devcreds.cache import RoleCredentials, format_timestamp

FORMATS = ("process", "env", "env-no-export", "powershell", "cmd", "fish", "dotenv", "json")


def variables(creds: RoleCredentials) -> dict[str, str]:
    """The environment variables every AWS SDK reads, plus the expiry some of them read."""
    return {
        "AWS_ACCESS_KEY_ID": creds.access_key_id,
        "AWS_SECRET_ACCESS_KEY": creds.secret_access_key,
        "AWS_SESSION_TOKEN": creds.session_token,
        "AWS_CREDENTIAL_EXPIRATION": format_timestamp(creds.expiration),
    }


def render(creds: RoleCredentials, fmt: str) -> str:
    """The text to print, ending in a newline."""
    if fmt in ("process", "json"):
        data: dict[str, object] = creds.to_json()["Credentials"]  # the AWS CLI's key names
        if fmt == "process":
            # botocore checks ``Version != 1``: the integer, not the string.
            data = {"Version": 1, **data}
        return json.dumps(data, indent=2) + "\n"
    line = _LINES[fmt]
    return "".join(line(name, value) + "\n" for name, value in variables(creds).items())


def _powershell(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _fish(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def dotenv_value(value: str) -> str:
    if all(c.isalnum() or c in "+/=:._-" for c in value):
        return value
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _cmd(name: str, value: str) -> str:
    # set "NAME=value" keeps & | < > literal; credentials are base64 and never hold a %.
    return f'set "{name}={value}"'


_LINES: dict[str, Callable[[str, str], str]] = {
    "env": lambda name, value: f"export {name}={shlex.quote(value)}",
    "env-no-export": lambda name, value: f"{name}={shlex.quote(value)}",
    "powershell": lambda name, value: f"$Env:{name}={_powershell(value)}",
    "cmd": _cmd,
    "fish": lambda name, value: f"set -gx {name} {_fish(value)}",
    "dotenv": lambda name, value: f"{name}={dotenv_value(value)}",
}
