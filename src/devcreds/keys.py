"""Cache file names, timestamps and freshness, as the AWS CLI has them (docs/protocol.md §5).

Tiny and stdlib only on purpose: the fast path (fastpath.py) decides with
these rules before anything else loads, and the full CLI (cache.py) decides
with the same functions, so the fast path never serves what the full CLI
would reject. No datetime here (importing it costs a tenth of the fast path).
"""

from __future__ import annotations

import json
import os
import stat

TYPE_CHECKING = False  # as typing.TYPE_CHECKING, without importing typing (3 ms)

if TYPE_CHECKING:
    from typing import Any

# What botocore and the AWS CLI treat as "about to expire" for tokens and role credentials.
REFRESH_WINDOW = 15 * 60
# Cache and state files are a few kilobytes; anything bigger is not one of them.
MAX_BYTES = 1 << 20
# No token or credential lives longer; a larger recorded lifetime is damage.
_MAX_LIFETIME = 400 * 24 * 3600
# The instants datetime can hold (0001-01-01T00:00:00Z to 9999-12-31T23:59:59Z), as epoch seconds.
_EARLIEST = -62135596800
_LATEST = 253402300799
_DAYS_IN_MONTH = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
# Windows has no POSIX modes (and no os.fchmod before 3.13): nothing to tighten there.
_FCHMOD = hasattr(os, "fchmod") and hasattr(os, "getuid")
_READ_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)


def sha1_hex(text: str) -> str:
    """sha1 as a file name, as the AWS CLI does (not for security)."""
    try:  # the built-in module: hashlib's OpenSSL start-up costs a third of a Python start
        from _sha1 import sha1  # type: ignore[import-not-found]
    except ImportError:  # Pythons built without it
        from hashlib import sha1
    digest: str = sha1(text.encode()).hexdigest()  # noqa: S324 - a name, not a safeguard
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


def load_json(path: str, limit: int | None = MAX_BYTES) -> tuple[Any, float]:
    """A regular file's JSON and its mtime; OSError or ValueError for anything else, a file
    over ``limit`` bytes included.

    Non-blocking, so a FIFO or device planted where a cache file belongs is refused
    instead of waited on; nesting too deep for the parser is a ValueError too. A file of
    ours that others can read (written by an older tool, or under a loose umask) holds a
    secret, so it is made 0600 on the way."""
    fd = os.open(path, _READ_FLAGS)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise ValueError("not a regular file")
        if info.st_mode & 0o077 and _FCHMOD and info.st_uid == os.getuid():
            try:  # noqa: SIM105 - contextlib is not loaded on the fast path
                os.fchmod(fd, 0o600)
            except OSError:  # a read-only file system: reading it is still right
                pass
        chunks = []
        size = 0
        while limit is None or size <= limit:
            chunk = os.read(
                fd, max(info.st_size + 1, 1 << 16) if limit is None else limit + 1 - size
            )
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    finally:
        os.close(fd)
    content = b"".join(chunks)
    if limit is not None and len(content) > limit:
        raise ValueError("larger than any cache file")
    try:
        return json.loads(content), info.st_mtime
    except RecursionError:
        raise ValueError("nested too deep") from None


def credential_text(value: object) -> bool:
    """A token, key or id as a cache may hold it: printable ASCII, as headers and shells need."""
    return isinstance(value, str) and value != "" and value.isascii() and value.isprintable()


def parse_timestamp(text: object) -> int | None:
    """The instant an AWS CLI or SDK timestamp names, in microseconds since 1970 UTC, else None.

    ``YYYY-MM-DD``, ``T`` (or a space), ``HH:MM:SS``, an optional fraction, then ``Z``,
    old CLIs' ``UTC``, an offset (``+01:00``, ``+0100``) or nothing (UTC); an instant that
    falls outside the years 1 to 9999 once in UTC is no timestamp."""
    if not isinstance(text, str):
        return None
    text = text.strip()
    if not 19 <= len(text) <= 40 or text[10] not in "Tt ":
        return None
    if (text[4], text[7], text[13], text[16]) != ("-", "-", ":", ":"):
        return None
    parts = [
        _number(text[i : i + n]) for i, n in ((0, 4), (5, 2), (8, 2), (11, 2), (14, 2), (17, 2))
    ]
    year, month, day, hour, minute, second = parts
    rest = text[19:]
    micro = 0
    if rest[:1] == ".":
        digits = len(rest) - 1 - len(rest[1:].lstrip("0123456789"))
        if not 1 <= digits <= 9:
            return None
        micro = int(rest[1 : 1 + digits].ljust(6, "0")[:6])
        rest = rest[1 + digits :]
    offset = _offset(rest)
    if offset is None or min(parts) < 0 or not 1 <= month <= 12 or year < 1:
        return None
    if not 1 <= day <= _month_days(year, month) or hour > 23 or minute > 59 or second > 59:
        return None
    seconds = _days(year, month, day) * 86400 + hour * 3600 + minute * 60 + second - offset
    if not _EARLIEST <= seconds <= _LATEST:
        return None
    return seconds * 1_000_000 + micro


def _number(text: str) -> int:
    """ASCII digits as a number, else -1 (``int`` takes other scripts' digits and spaces too)."""
    return int(text) if text.isascii() and text.isdigit() else -1


def _offset(zone: str) -> int | None:
    if zone in ("", "Z", "z", "UTC"):
        return 0
    if len(zone) not in (5, 6) or zone[0] not in "+-" or (len(zone) == 6 and zone[3] != ":"):
        return None
    hours, minutes = _number(zone[1:3]), _number(zone[-2:])
    if not (0 <= hours <= 23 and 0 <= minutes <= 59):
        return None
    return (hours * 3600 + minutes * 60) * (1 if zone[0] == "+" else -1)


def _month_days(year: int, month: int) -> int:
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    return 29 if month == 2 and leap else _DAYS_IN_MONTH[month - 1]


def _days(year: int, month: int, day: int) -> int:
    """Days since 1970-01-01 in the proleptic Gregorian calendar (H. Hinnant's days_from_civil)."""
    year -= month <= 2
    era = year // 400
    year_of_era = year - era * 400
    day_of_year = (153 * (month + (-3 if month > 2 else 9)) + 2) // 5 + day - 1
    day_of_era = year_of_era * 365 + year_of_era // 4 - year_of_era // 100 + day_of_year
    return era * 146097 + day_of_era - 719468


def lifetime_seconds(value: object) -> float | None:
    """A lifetime in seconds if ``value`` is a plausible one, else None."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if 0 < value <= _MAX_LIFETIME else None


def fresh(remaining: float, lifetime: float | None) -> bool:
    """More than min(15 minutes, a third of the lifetime as issued) left; 15 minutes if unknown.

    Credentials that live less than 45 minutes (900 s sessions, a short-lived
    emulator) are then used for two thirds of their life and shared, instead of
    being fetched again on every call."""
    window = REFRESH_WINDOW if lifetime is None else min(REFRESH_WINDOW, lifetime / 3)
    return remaining > window


def lifetime_path(state: str, cache_file: str) -> str:
    """Where devcreds notes the lifetime of the token or credentials it wrote to ``cache_file``."""
    # os.path, not pathlib: pathlib costs more to import than the fast path may take.
    name = os.path.basename(cache_file)  # noqa: PTH119
    return os.path.join(state, "lifetimes", name)  # noqa: PTH118


def lifetime_note(identity: str, seconds: float) -> dict[str, object]:
    """The note: a fingerprint of what was issued (never the secret) and its lifetime."""
    return {"of": sha1_hex(identity), "seconds": seconds}


def known_lifetime(
    state: str, cache_file: str, identity: str, expires: float, mtime: float | None
) -> float | None:
    """The lifetime as issued, in seconds: from devcreds' note when it wrote this very token or
    set of credentials, else expiration - mtime (the AWS CLI and botocore write a cache file
    when they get what it holds, and store no issue time), else None."""
    try:
        note, _ = load_json(lifetime_path(state, cache_file))
    except (OSError, ValueError):
        note = None
    if isinstance(note, dict) and note.get("of") == sha1_hex(identity):
        recorded = lifetime_seconds(note.get("seconds"))
        if recorded is not None:
            return recorded
    return lifetime_seconds(expires - mtime) if mtime is not None else None
