"""``devcreds export`` at about the cost of a bare Python start, when cached credentials are good.

SDKs run ``export`` as a credential_process for every client they build, so
its common case must be cheap. The full CLI resolves a profile once and
leaves a note: which role-cache file serves that profile, and the AWS config
file's identity (inode, size, mtime) when it looked. The fast path checks
that note with one ``stat``, reads the cache file and prints: the standard
library's json and nothing heavier (configparser alone would cost a fifth of
the budget; measured in bench/).

Anything this path does not recognise as the plain case (no note, a changed
config file, a cache entry not in canonical form, credentials with less than
15 minutes left, any option but --profile and --format) it leaves to the full
CLI, which then prints the same output or the error it always does.
"""

from __future__ import annotations

import json
import os
import sys
import time

from devcreds import formats

TYPE_CHECKING = False  # as typing.TYPE_CHECKING, without importing typing (3 ms)
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from devcreds.paths import Paths

_REFRESH_WINDOW = 15 * 60  # cache.REFRESH_WINDOW
# The canonical form cache.format_timestamp writes; in it, text order is time order.
_TIMESTAMP_SHAPE = "dddd-dd-ddTdd:dd:ddZ"


def export_options(argv: Sequence[str]) -> dict[str, str] | None:
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


def _home(environ: Mapping[str, str]) -> str:
    return environ.get("HOME") or environ.get("USERPROFILE") or os.path.expanduser("~")


def _config_path(environ: Mapping[str, str], home: str) -> str:
    """The same rule as paths.Paths.from_environ."""
    configured = environ.get("AWS_CONFIG_FILE")
    return os.path.expanduser(configured) if configured else os.path.join(home, ".aws", "config")


def _identity(path: str) -> list[int] | None:
    try:
        info = os.stat(path)
    except OSError:
        return None
    return [info.st_ino, info.st_size, info.st_mtime_ns]


def _note_path(home: str) -> str:
    return os.path.join(home, ".aws", "devcreds", "fastpath.json")


def remember(paths: Paths, environ: Mapping[str, str], profile: str, cache_file: str) -> None:
    """Note, for the next export of ``profile``, which cache file serves it. Never a secret."""
    from devcreds import cache

    home = str(paths.home)
    config = _config_path(environ, home)
    identity = _identity(config)
    if identity is None:
        return
    note = cache.read_json(paths.state / "fastpath.json") or {}
    known = note.get("notes")
    known = known if isinstance(known, list) else []
    entry = {"config": config, "profile": profile, "identity": identity, "cache": cache_file}
    if entry in known:
        return  # already known: spare the write (and its fsync)
    notes = [
        n
        for n in known
        if isinstance(n, dict) and (n.get("config"), n.get("profile")) != (config, profile)
    ]
    cache.write_json(paths.state / "fastpath.json", {"notes": [*notes[-49:], entry]})


def _cache_file(environ: Mapping[str, str], home: str, profile: str) -> str | None:
    config = _config_path(environ, home)
    try:
        with open(_note_path(home), "rb") as handle:
            notes = json.load(handle)["notes"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    for note in notes if isinstance(notes, list) else []:
        if (
            isinstance(note, dict)
            and note.get("config") == config
            and note.get("profile") == profile
        ):
            cache_file = note.get("cache")
            if note.get("identity") == _identity(config) and isinstance(cache_file, str):
                return cache_file
    return None


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
    if not all(isinstance(value, str) and value for value in fields.values()):
        return None
    if not all(name in fields for name in formats.FIELDS[:4]):
        return None
    soon = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + _REFRESH_WINDOW))
    expiration = fields["Expiration"]
    if expiration.endswith("UTC"):  # botocore's assume-role cache; the full CLI prints it as Z
        expiration = fields["Expiration"] = expiration[:-3] + "Z"
    shape = "".join("d" if c in "0123456789" else c for c in expiration)
    if shape != _TIMESTAMP_SHAPE or expiration <= soon:
        return None
    return fields


def export(argv: Sequence[str], environ: Mapping[str, str]) -> bool:
    """Print the credentials and return True, or return False to let the full CLI answer."""
    options = export_options(argv)
    if options is None or environ.get("DEVCREDS_FAST_PATH") == "0":
        return False
    fmt = options.get("--format", "process")
    if fmt not in formats.FORMATS:
        return False
    home = _home(environ)
    profile = options.get("--profile") or environ.get("AWS_PROFILE") or "default"
    cache_file = _cache_file(environ, home, profile)
    fields = _fresh_fields(cache_file) if cache_file else None
    if fields is None:
        return False
    sys.stdout.write(formats.render(fields, fmt))
    return True
