"""``devcreds export`` at the cost of a bare Python start, when cached credentials are good.

SDKs run ``export`` as a credential_process for every client they build, so
its common case must be cheap: read the AWS config file, compute the cache
key, read the cache file, print. Only the standard library's json and
configparser are loaded here (plus our tiny ``keys`` and ``formats``);
awsconfig, cache and paths are richer and cost more to import than Python
takes to start.

Anything this path does not recognise as the plain case (an unusual profile,
a cache entry not in canonical form, credentials with less than 15 minutes
left, any option but --profile and --format) it leaves to the full CLI, which
then prints the same output or the error it always does.
"""

from __future__ import annotations

import json
import os
import re
import sys
import time

from devcreds import formats, keys

TYPE_CHECKING = False  # as typing.TYPE_CHECKING, without importing typing (3 ms)
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

# The canonical form cache.format_timestamp writes; in it, text order is time order.
_TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")
_REFRESH_WINDOW = 15 * 60  # cache.REFRESH_WINDOW


def _options(argv: Sequence[str]) -> dict[str, str] | None:
    """``export`` with only --profile and --format (either spelling); anything else: None."""
    if not argv or argv[0] != "export":
        return None
    options: dict[str, str] = {}
    rest = list(argv[1:])
    while rest:
        name, equals, value = rest.pop(0).partition("=")
        if name not in ("--profile", "--format") or name in options:
            return None
        if not equals:
            if not rest:
                return None
            value = rest.pop(0)
        options[name] = value
    return options


def _config(environ: Mapping[str, str], home: str) -> dict[str, dict[str, str]] | None:
    """The AWS config file's sections (same parser and rules as awsconfig.load)."""
    import configparser

    path = environ.get("AWS_CONFIG_FILE") or os.path.join(home, ".aws", "config")
    parser = configparser.RawConfigParser()
    try:
        with open(os.path.expanduser(path), encoding="utf-8") as handle:
            parser.read_file(handle)
    except (OSError, UnicodeDecodeError, configparser.Error):
        return None
    return {section: dict(parser.items(section)) for section in parser.sections()}


def _cache_name(sections: dict[str, dict[str, str]], profile: str) -> str | None:
    """The role cache key of a plain sso-session profile; None for anything else."""
    values = sections.get(f"profile {profile}")
    if values is None and profile == "default":
        values = sections.get("default")
    if values is None or "sso_session" not in values:
        return None
    session = sections.get(f"sso-session {values['sso_session']}")
    if session is None or not session.get("sso_start_url") or not session.get("sso_region"):
        return None
    for key in ("sso_start_url", "sso_region"):
        if key in values and values[key] != session[key]:
            return None  # inconsistent: the full CLI explains
    if not values.get("sso_account_id") or not values.get("sso_role_name"):
        return None
    return keys.role_credentials_key(
        values["sso_role_name"], values["sso_account_id"], values["sso_session"], ""
    )


def _fresh_fields(path: str) -> dict[str, str] | None:
    """The cached credentials if they are canonical and have 15 minutes left."""
    try:
        with open(path, "rb") as handle:
            data = json.load(handle)
        if data.get("ProviderType", "sso") != "sso":
            return None
        credentials = data["Credentials"]
        fields = {name: credentials[name] for name in formats.FIELDS if name in credentials}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    if not all(isinstance(fields.get(name), str) and fields[name] for name in formats.FIELDS[:4]):
        return None
    if not all(isinstance(value, str) for value in fields.values()):
        return None
    soon = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + _REFRESH_WINDOW))
    if not _TIMESTAMP.fullmatch(fields["Expiration"]) or fields["Expiration"] <= soon:
        return None
    return fields


def export(argv: Sequence[str], environ: Mapping[str, str]) -> bool:
    """Print the credentials and return True, or return False to let the full CLI answer."""
    options = _options(argv)
    if options is None or environ.get("DEVCREDS_FAST_PATH") == "0":
        return False
    fmt = options.get("--format", "process")
    if fmt not in formats.FORMATS:
        return False
    home = environ.get("HOME") or environ.get("USERPROFILE") or os.path.expanduser("~")
    sections = _config(environ, home)
    name = (
        _cache_name(sections, options.get("--profile") or environ.get("AWS_PROFILE") or "default")
        if sections is not None
        else None
    )
    if name is None:
        return False
    fields = _fresh_fields(os.path.join(home, ".aws", "cli", "cache", f"{name}.json"))
    if fields is None:
        return False
    sys.stdout.write(formats.render(fields, fmt))
    return True
