"""Credentials as text for ``export``: credential_process JSON, shells, .env, JSON.

Works on the AWS CLI's field names (``AccessKeyId``, ``SecretAccessKey``,
``SessionToken``, ``Expiration``, optional ``AccountId``), as the role cache
stores them, so the cached ``export`` path can print a cache entry without
loading anything else. Standard library only.
"""

from __future__ import annotations

import json

from devcreds.errors import UsageError

TYPE_CHECKING = False  # as typing.TYPE_CHECKING, without importing typing (3 ms)

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

FORMATS = (
    "process",
    "env",
    "env-no-export",
    "powershell",
    "windows-cmd",  # the AWS CLI's name (aws configure export-credentials)
    "cmd",
    "fish",
    "dotenv",
    "json",
)
FIELDS = ("AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration", "AccountId")


def variables(fields: Mapping[str, str]) -> dict[str, str]:
    """The environment variables every AWS SDK reads, plus the expiry some of them read."""
    return {
        "AWS_ACCESS_KEY_ID": fields["AccessKeyId"],
        "AWS_SECRET_ACCESS_KEY": fields["SecretAccessKey"],
        "AWS_SESSION_TOKEN": fields["SessionToken"],
        "AWS_CREDENTIAL_EXPIRATION": fields["Expiration"],
    }


def check(fmt: str, *, with_region: bool = False) -> None:
    """UsageError for a format that does not exist or cannot carry what is asked."""
    if fmt not in FORMATS:
        raise UsageError(
            f"unknown format {fmt!r}", hint=f"devcreds export --format {'|'.join(FORMATS)}"
        )
    if with_region and fmt == "process":
        raise UsageError(
            "a credential_process answer cannot carry a region",
            hint="set region in the profile, or use --format env or json with --with-region",
        )


def render(fields: Mapping[str, str], fmt: str, region: str | None = None) -> str:
    """The text to print, ending in a newline; UsageError for a value the format cannot carry.

    ``region`` adds AWS_REGION and AWS_DEFAULT_REGION (``Region`` in JSON); a
    credential_process answer has no place for one."""
    check(fmt, with_region=region is not None)
    if fmt in ("process", "json"):
        data: dict[str, object] = {name: fields[name] for name in FIELDS if name in fields}
        if fmt == "process":
            # botocore checks ``Version != 1``: the integer, not the string.
            data = {"Version": 1, **data}
        elif region is not None:
            data["Region"] = region
        return json.dumps(data, indent=2) + "\n"
    line = _LINES[fmt]
    values = variables(fields)
    if region is not None:
        values.update(AWS_REGION=region, AWS_DEFAULT_REGION=region)
    return "".join(line(name, value) + "\n" for name, value in values.items())


def _powershell(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _fish(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def dotenv_value(value: str) -> str:
    if all(c.isalnum() or c in "+/=:._-" for c in value):
        return value
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


# cmd.exe expands % (and ! under delayed expansion) even inside quotes, and a " ends the
# quoting, so a value holding one could run a command: AWS keys, tokens and timestamps are
# base64 and ids, so anything else is not a credential and is refused, not escaped.
_CMD_SAFE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=:._-")


def _cmd(name: str, value: str) -> str:
    # set "NAME=value" keeps & | < > literal.
    if not set(value) <= _CMD_SAFE:
        raise UsageError(
            f"cannot print these credentials for cmd: {name} holds characters cmd.exe would"
            " interpret",
            hint="devcreds export --format powershell",
        )
    return f'set "{name}={value}"'


def _sh(value: str) -> str:
    import shlex  # only the shell formats need it

    return shlex.quote(value)


_LINES: dict[str, Callable[[str, str], str]] = {
    "env": lambda name, value: f"export {name}={_sh(value)}",
    "env-no-export": lambda name, value: f"{name}={_sh(value)}",
    "powershell": lambda name, value: f"$Env:{name}={_powershell(value)}",
    "cmd": _cmd,
    "windows-cmd": _cmd,
    "fish": lambda name, value: f"set -gx {name} {_fish(value)}",
    "dotenv": lambda name, value: f"{name}={dotenv_value(value)}",
}
