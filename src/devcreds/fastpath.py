"""``devcreds export`` at about the cost of a bare Python start, when cached credentials are good.

SDKs run ``export`` as a credential_process for every client they build, so
its common case must be cheap. The full CLI resolves a profile once and
leaves a note: which role-cache file serves that profile, and the AWS config
file's identity (inode, size, mtime) when it looked. The fast path checks
that note with one ``stat``, reads the cache file and prints: the standard
library's json and nothing heavier (configparser alone would cost a fifth of
the budget; measured in bench/).

Anything this path does not recognise as the plain case (no note, a changed
config or credentials file, a cache entry not in canonical form or that the
full CLI would not take, credentials that are not fresh, any option but
--profile and --format) it leaves to the full CLI, which then prints the same
output or the error it always does. Timestamps and freshness are decided by
the very functions the full CLI uses (``keys``), so the two cannot disagree.
"""

from __future__ import annotations

import os
import sys
import time

from devcreds import formats, keys
from devcreds.errors import UsageError
from devcreds.platforms import HOST

TYPE_CHECKING = False  # as typing.TYPE_CHECKING, without importing typing (3 ms)
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from devcreds.paths import Paths
    from devcreds.platforms import Platform

# The canonical form cache.format_timestamp writes: the full CLI prints exactly this text.
_TIMESTAMP_SHAPE = "dddd-dd-ddTdd:dd:ddZ"
_HEX = frozenset("0123456789abcdef")


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


def _aws_file(
    environ: Mapping[str, str], home: str, platform: Platform, variable: str, name: str
) -> str:
    """The same rule as paths.Paths.from_environ (os.path: pathlib costs too much here)."""
    configured = environ.get(variable)
    if configured:
        return platform.expand(configured, environ)
    default: str = platform.path.join(home, ".aws", name)
    return default


def _config_path(environ: Mapping[str, str], home: str, platform: Platform) -> str:
    return _aws_file(environ, home, platform, "AWS_CONFIG_FILE", "config")


def _credentials_path(environ: Mapping[str, str], home: str, platform: Platform) -> str:
    return _aws_file(environ, home, platform, "AWS_SHARED_CREDENTIALS_FILE", "credentials")


def _identity(path: str) -> list[int] | None:
    try:
        info = os.stat(path)
    except OSError:
        return None
    return [info.st_ino, info.st_size, info.st_mtime_ns]


def _note_path(home: str) -> str:
    return os.path.join(home, ".aws", "devcreds", "fastpath.json")


def remember(
    paths: Paths,
    environ: Mapping[str, str],
    profile: str,
    cache_file: str,
    platform: Platform = HOST,
) -> None:
    """Note, for the next export of ``profile``, which cache file serves it. Never a secret.

    The note only saves time: when it cannot be written (a read-only home), export still
    succeeds, and the next one takes the full path again."""
    home = str(paths.home)
    config = _config_path(environ, home, platform)
    identity = _identity(config)
    if identity is None:
        return
    entry = {
        "config": config,
        "profile": profile,
        "identity": identity,
        # The full CLI rejects an unparsable credentials file; an edited one is checked again.
        "credentials": _identity(_credentials_path(environ, home, platform)),
        "cache": cache_file,
    }
    known = _notes(str(paths.state / "fastpath.json"))
    if entry in known:
        return  # already known: spare the write (and its fsync)
    notes = [n for n in known if (n.get("config"), n.get("profile")) != (config, profile)]
    from devcreds import cache
    from devcreds.errors import FileError

    try:
        cache.write_json(paths.state / "fastpath.json", {"notes": [*notes[-49:], entry]})
    except FileError as exc:
        import logging

        logging.getLogger(__name__).debug("no fast-path note: %s", exc.message)


def _notes(path: str) -> list[dict[str, object]]:
    """The note's entries; a damaged note has none."""
    try:
        data, _ = keys.load_json(path)
    except (OSError, ValueError):
        return []
    notes = data.get("notes") if isinstance(data, dict) else None
    return [n for n in notes if isinstance(n, dict)] if isinstance(notes, list) else []


def _cache_file(
    environ: Mapping[str, str], home: str, profile: str, platform: Platform = HOST
) -> str | None:
    config = _config_path(environ, home, platform)
    for note in _notes(_note_path(home)):
        if note.get("config") == config and note.get("profile") == profile:
            cache_file = note.get("cache")
            if (
                isinstance(cache_file, str)
                and _in_role_cache(home, cache_file)
                and note.get("identity") == _identity(config)
                and note.get("credentials") == _identity(_credentials_path(environ, home, platform))
            ):
                return cache_file
    return None


def _in_role_cache(home: str, cache_file: str) -> bool:
    """Only a file of the AWS CLI's role cache can serve (the full CLI reads nothing else)."""
    folder, name = os.path.split(cache_file)
    stem, _, suffix = name.partition(".")
    return (
        os.path.normpath(folder) == os.path.normpath(os.path.join(home, ".aws", "cli", "cache"))
        and suffix == "json"
        and len(stem) == 40
        and set(stem) <= _HEX
    )


def _fresh_fields(path: str, state: str) -> dict[str, str] | None:
    """The cached credentials if they are canonical, as the full CLI reads them, and fresh."""
    try:
        data, mtime = keys.load_json(path)
        if data.get("ProviderType", "sso") != "sso":
            return None
        credentials = data["Credentials"]
        fields = {name: credentials[name] for name in formats.FIELDS if name in credentials}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    if not all(keys.credential_text(value) for value in fields.values()):
        return None
    if not all(name in fields for name in formats.FIELDS[:4]):
        return None
    expiration = fields["Expiration"]
    if expiration.endswith("UTC"):  # botocore's assume-role cache; the full CLI prints it as Z
        expiration = fields["Expiration"] = expiration[:-3] + "Z"
    shape = "".join("d" if c in "0123456789" else c for c in expiration)
    expires = keys.parse_timestamp(expiration)
    if shape != _TIMESTAMP_SHAPE or expires is None:
        return None
    remaining = expires / 1e6 - time.time()
    lifetime = None
    if remaining <= keys.REFRESH_WINDOW:  # only then can the lifetime matter
        lifetime = keys.known_lifetime(state, path, fields["SessionToken"], expires / 1e6, mtime)
    return fields if keys.fresh(remaining, lifetime) else None


def export(argv: Sequence[str], environ: Mapping[str, str], platform: Platform = HOST) -> bool:
    """Print the credentials and return True, or return False to let the full CLI answer."""
    options = export_options(argv)
    if options is None or environ.get("DEVCREDS_FAST_PATH") == "0":
        return False
    fmt = options.get("--format", "process")
    if fmt not in formats.FORMATS:
        return False
    home = platform.home(environ)
    profile = options.get("--profile") or environ.get("AWS_PROFILE") or "default"
    cache_file = _cache_file(environ, home, profile, platform)
    state = os.path.join(home, ".aws", "devcreds")  # paths.Paths.state
    fields = _fresh_fields(cache_file, state) if cache_file else None
    if fields is None:
        return False
    try:
        text = formats.render(fields, fmt)
    except UsageError:
        return False  # the full CLI explains it
    sys.stdout.write(text)
    return True
