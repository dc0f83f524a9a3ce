"""The AWS CLI's own cache files: keys, formats, atomic 0600 writes, and a lock per session.

- token:        ~/.aws/sso/cache/sha1(session name | start URL).json      (docs/protocol.md §5.1)
- registration: ~/.aws/sso/cache/sha1(botocore's registration key).json  (§5.2)
- role creds:   ~/.aws/cli/cache/sha1(compact JSON of the role args).json (§5.3)

Readers are forgiving: a file that is missing, unreadable, not a small regular
file, not JSON (or nested too deep to parse) or of the wrong shape counts as
absent, as it does for botocore, and is left as it is. Stdlib only, because
the cached ``export`` path reads these.

Tokens and credentials are fresh while more than min(15 minutes, a third of
their lifetime as issued) is left (``keys.fresh``, which the fast path uses
too). The AWS CLI's files hold no issue time, so next to each file devcreds
writes it notes the lifetime in ``~/.aws/devcreds/lifetimes/`` (bound to what
was issued by a fingerprint, so a file another tool rewrote does not inherit
it); without a note the file's mtime stands for the issue time.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

from devcreds import keys
from devcreds.awsconfig import RoleHop, SsoProfile, SsoSession
from devcreds.errors import FileError
from devcreds.paths import Paths
from devcreds.platforms import HOST

# What botocore and the AWS CLI treat as "about to expire" for tokens and role credentials.
REFRESH_WINDOW = dt.timedelta(seconds=keys.REFRESH_WINDOW)
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def parse_timestamp(text: str) -> dt.datetime:
    """ISO 8601 as the AWS CLI and SDKs write it (``keys.parse_timestamp``); else ValueError."""
    microseconds = keys.parse_timestamp(text)
    if microseconds is None:
        raise ValueError(f"not a timestamp: {text!r}")
    return _EPOCH + dt.timedelta(microseconds=microseconds)


def format_timestamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _repr(record: tuple[Any, ...], public: tuple[str, ...]) -> str:
    """A repr that names only the non-secret fields."""
    shown = ", ".join(f"{name}={getattr(record, name)!r}" for name in public)
    return f"{type(record).__name__}({shown}, …)"


def _fresh(expires: dt.datetime, now: dt.datetime, lifetime: dt.timedelta | None) -> bool:
    seconds = lifetime.total_seconds() if lifetime is not None else None
    return keys.fresh((expires - now).total_seconds(), seconds)


class Token(NamedTuple):
    start_url: str
    region: str
    access_token: str
    expires_at: dt.datetime
    client_id: str | None = None
    client_secret: str | None = None
    registration_expires_at: dt.datetime | None = None
    refresh_token: str | None = None
    # As issued, when known and it matters (see the module's docstring); never in the file.
    lifetime: dt.timedelta | None = None

    def __repr__(self) -> str:
        return _repr(self, ("start_url", "region", "expires_at", "client_id"))

    def fresh(self, now: dt.datetime) -> bool:
        return _fresh(self.expires_at, now, self.lifetime)

    def refreshable(self, now: dt.datetime) -> bool:
        return bool(
            self.refresh_token
            and self.client_id
            and self.client_secret
            and self.registration_expires_at
            and self.registration_expires_at > now
        )

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "startUrl": self.start_url,
            "region": self.region,
            "accessToken": self.access_token,
            "expiresAt": format_timestamp(self.expires_at),
        }
        if self.client_id and self.client_secret and self.registration_expires_at:
            data["clientId"] = self.client_id
            data["clientSecret"] = self.client_secret
            data["registrationExpiresAt"] = format_timestamp(self.registration_expires_at)
        if self.refresh_token:
            data["refreshToken"] = self.refresh_token
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Token | None:
        try:
            registration_expiry = data.get("registrationExpiresAt")
            return cls(
                start_url=_text(data.get("startUrl", "")),
                region=_text(data.get("region", "")),
                access_token=_required_text(data["accessToken"]),
                expires_at=parse_timestamp(_required_text(data["expiresAt"])),
                client_id=_optional_text(data.get("clientId")),
                client_secret=_optional_text(data.get("clientSecret")),
                registration_expires_at=(
                    parse_timestamp(_required_text(registration_expiry))
                    if registration_expiry
                    else None
                ),
                refresh_token=_optional_text(data.get("refreshToken")),
            )
        except _DAMAGE:
            return None


class Registration(NamedTuple):
    client_id: str
    client_secret: str
    expires_at: dt.datetime
    scopes: tuple[str, ...] | None = None
    grant_types: tuple[str, ...] | None = None

    def __repr__(self) -> str:
        return _repr(self, ("client_id", "expires_at", "scopes", "grant_types"))

    def usable(self, now: dt.datetime, *, browser: bool = False) -> bool:
        """Fit for a login while 15 minutes are left, as the AWS CLI judges it: the browser
        flow needs a registration with the authorization_code grant, and the device flow one
        without (a client registered for the browser flow may not use the device grant)."""
        for_browser = "authorization_code" in (self.grant_types or ())
        return self.expires_at - now > REFRESH_WINDOW and for_browser == browser

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "clientId": self.client_id,
            "clientSecret": self.client_secret,
            "expiresAt": format_timestamp(self.expires_at),
        }
        if self.scopes:
            data["scopes"] = list(self.scopes)
        if self.grant_types:
            data["grantTypes"] = list(self.grant_types)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Registration | None:
        try:
            return cls(
                client_id=_required_text(data["clientId"]),
                client_secret=_required_text(data["clientSecret"]),
                expires_at=parse_timestamp(_required_text(data["expiresAt"])),
                scopes=_optional_texts(data.get("scopes")),
                grant_types=_optional_texts(data.get("grantTypes")),
            )
        except _DAMAGE:
            return None


class RoleCredentials(NamedTuple):
    access_key_id: str
    secret_access_key: str
    session_token: str
    expiration: dt.datetime
    account_id: str | None = None
    # As issued, when known and it matters (see the module's docstring); never in the file.
    lifetime: dt.timedelta | None = None

    def __repr__(self) -> str:
        return _repr(self, ("access_key_id", "expiration", "account_id"))

    def fresh(self, now: dt.datetime) -> bool:
        return _fresh(self.expiration, now, self.lifetime)

    def fields(self) -> dict[str, str]:
        """The AWS CLI's names for the credentials, as ``formats`` prints them."""
        return dict(self.to_json()["Credentials"])

    def to_json(self) -> dict[str, Any]:
        credentials = {
            "AccessKeyId": self.access_key_id,
            "SecretAccessKey": self.secret_access_key,
            "SessionToken": self.session_token,
            "Expiration": format_timestamp(self.expiration),
        }
        if self.account_id:
            credentials["AccountId"] = self.account_id
        return {"ProviderType": "sso", "Credentials": credentials}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RoleCredentials | None:
        try:
            credentials = data["Credentials"]
            return cls(
                access_key_id=_required_text(credentials["AccessKeyId"]),
                secret_access_key=_required_text(credentials["SecretAccessKey"]),
                session_token=_required_text(credentials["SessionToken"]),
                expiration=parse_timestamp(_required_text(credentials["Expiration"])),
                account_id=_optional_text(credentials.get("AccountId")),
            )
        except _DAMAGE:
            return None


# What a wrongly shaped file raises in from_json: a missing key, a list or number where an
# object or text belongs (``.get`` of a list), a value that is not a timestamp.
_DAMAGE = (KeyError, TypeError, ValueError, AttributeError)


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(type(value).__name__)
    return value


def _required_text(value: Any) -> str:
    """A token, key, id or timestamp: printable ASCII, or it could not go into a header or a
    shell line (a lone surrogate cannot even be printed)."""
    if not keys.credential_text(value):
        raise ValueError("not printable ASCII text")
    return _text(value)


def _optional_text(value: Any) -> str | None:
    return None if value is None or value == "" else _required_text(value)


def _optional_texts(value: Any) -> tuple[str, ...] | None:
    if value is None:
        return None
    if not isinstance(value, list):
        raise TypeError(type(value).__name__)
    return tuple(_text(v) for v in value)


def token_path(paths: Paths, session: SsoSession) -> Path:
    return paths.sso_cache / f"{session.token_key}.json"


def registration_path(paths: Paths, session: SsoSession) -> Path:
    key = keys.registration_key(session.start_url, session.region, session.scopes, session.name)
    return paths.sso_cache / f"{key}.json"


def role_credentials_path(paths: Paths, profile: SsoProfile) -> Path:
    key = keys.role_credentials_key(
        profile.role_name, profile.account_id, profile.session.name, profile.session.start_url
    )
    return paths.cli_cache / f"{key}.json"


def _debug(message: str, *args: object) -> None:
    import logging  # only for the odd file: logging is not free on the export path

    logging.getLogger(__name__).debug(message, *args)


def assumed_role_path(paths: Paths, hop: RoleHop) -> Path:
    """botocore's key: RoleArn plus whichever optional arguments the profile configures."""
    arguments: dict[str, object] = {"RoleArn": hop.role_arn}
    if hop.role_session_name:
        arguments["RoleSessionName"] = hop.role_session_name
    if hop.duration_seconds:
        arguments["DurationSeconds"] = hop.duration_seconds
    if hop.external_id:
        arguments["ExternalId"] = hop.external_id
    return paths.cli_cache / f"{keys.assume_role_key(arguments)}.json"


def load_assumed_role(paths: Paths, hop: RoleHop) -> RoleCredentials | None:
    path = assumed_role_path(paths, hop)
    data, mtime = _read(path, keys.MAX_BYTES)
    creds = RoleCredentials.from_json(data) if data is not None else None
    return _with_lifetime(paths, path, creds, mtime)


def save_assumed_role(paths: Paths, hop: RoleHop, creds: RoleCredentials, arn: str) -> None:
    """As botocore's JSONFileCache stores an AssumeRole response (its datetimes end in UTC)."""
    path = assumed_role_path(paths, hop)
    write_json(
        path,
        {
            "Credentials": {
                "AccessKeyId": creds.access_key_id,
                "SecretAccessKey": creds.secret_access_key,
                "SessionToken": creds.session_token,
                "Expiration": creds.expiration.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SUTC"),
            },
            "AssumedRoleUser": {"Arn": arn},
        },
    )
    _note_lifetime(paths, path, creds)


def _read(path: Path, limit: int | None) -> tuple[dict[str, Any] | None, float | None]:
    """The file's object and mtime, or (None, None) when it is missing or not a JSON object."""
    try:
        data, mtime = keys.load_json(str(path), limit)
    except FileNotFoundError:
        return None, None
    except (OSError, ValueError) as exc:
        _debug("ignoring cache file %s: %s", path, getattr(exc, "strerror", None) or exc)
        return None, None
    if not isinstance(data, dict):
        _debug("ignoring cache file %s: not a JSON object", path)
        return None, None
    return data, mtime


def read_json(path: Path) -> dict[str, Any] | None:
    """A state file's object, or None when it is missing, unreadable, not a regular file or
    not a JSON object. No size limit: a sink record may list thousands of targets."""
    return _read(path, None)[0]


def write_json(path: Path, data: dict[str, Any], *, fsync: Any = None) -> None:
    """Replace ``path`` atomically with ``data``; the file is 0600 in a 0700 folder.

    ``fsync`` (default ``os.fsync``) lets tests stop a writer at a chosen step."""
    import os

    from devcreds.files import atomic_write, private_dir  # tempfile: not on the export path

    try:
        private_dir(path.parent)
        atomic_write(path, json.dumps(data).encode(), mode=0o600, fsync=fsync or os.fsync)
    except OSError as exc:
        raise FileError(
            f"cannot write cache file {path}: {exc.strerror or exc}",
            hint=f"check the permissions of {path.parent}",
        ) from None


def _identity(record: Token | RoleCredentials) -> str:
    """What tells one issued token or set of credentials from the next."""
    return record.access_token if isinstance(record, Token) else record.session_token


def _expiry(record: Token | RoleCredentials) -> dt.datetime:
    return record.expires_at if isinstance(record, Token) else record.expiration


_Record = TypeVar("_Record", Token, RoleCredentials)


def _with_lifetime(
    paths: Paths, path: Path, record: _Record | None, mtime: float | None
) -> _Record | None:
    """``record`` with its lifetime, looked up only when it can matter: with less than twice
    the 15-minute window left (the window is 15 minutes for anything longer-lived)."""
    if record is None:
        return None
    expires = _expiry(record).timestamp()
    if expires - time.time() > 2 * keys.REFRESH_WINDOW:
        return record
    seconds = keys.known_lifetime(str(paths.state), str(path), _identity(record), expires, mtime)
    return record if seconds is None else record._replace(lifetime=dt.timedelta(seconds=seconds))


def _note_lifetime(paths: Paths, path: Path, record: Token | RoleCredentials) -> None:
    """Note the lifetime of what was just written to ``path``: as carried (a rewrite of the same
    token keeps it), else from now, as it was issued a moment ago. Only a hint, so written
    without fsync, and a failure is a debug line."""
    lifetime = record.lifetime or (_expiry(record) - dt.datetime.now(dt.UTC))
    seconds = keys.lifetime_seconds(lifetime.total_seconds())
    if seconds is None:
        return
    note = keys.lifetime_note(_identity(record), seconds)
    from devcreds.files import atomic_write, private_dir

    target = Path(keys.lifetime_path(str(paths.state), str(path)))
    try:
        private_dir(target.parent)
        atomic_write(target, json.dumps(note).encode(), mode=0o600, fsync=lambda fd: None)
    except OSError as exc:
        _debug("could not note the lifetime in %s: %s", target, exc.strerror or exc)


def remove(path: Path) -> bool:
    """Delete a cache file; False if there was none. Anything else in its place is an error
    naming it (a folder left by a half-finished tool, a file we may not delete)."""
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    except OSError as exc:
        raise FileError(
            f"cannot delete {path}: {exc.strerror or exc}",
            hint=f"look at it: {HOST.show_permissions(path)}",
        ) from None
    return True


def forget(paths: Paths, path: Path) -> bool:
    """Delete a token or credentials file and devcreds' lifetime note about it (logout)."""
    removed = remove(path)
    remove(Path(keys.lifetime_path(str(paths.state), str(path))))
    return removed


def load_token(paths: Paths, session: SsoSession) -> Token | None:
    path = token_path(paths, session)
    data, mtime = _read(path, keys.MAX_BYTES)
    token = Token.from_json(data) if data is not None else None
    return _with_lifetime(paths, path, token, mtime)


def save_token(paths: Paths, session: SsoSession, token: Token) -> None:
    path = token_path(paths, session)
    write_json(path, token.to_json())
    _note_lifetime(paths, path, token)


def load_registration(paths: Paths, session: SsoSession) -> Registration | None:
    data, _ = _read(registration_path(paths, session), keys.MAX_BYTES)
    return Registration.from_json(data) if data is not None else None


def save_registration(paths: Paths, session: SsoSession, registration: Registration) -> None:
    write_json(registration_path(paths, session), registration.to_json())


def load_role_credentials(paths: Paths, profile: SsoProfile) -> RoleCredentials | None:
    path = role_credentials_path(paths, profile)
    data, mtime = _read(path, keys.MAX_BYTES)
    if data is None or data.get("ProviderType", "sso") != "sso":
        return None
    return _with_lifetime(paths, path, RoleCredentials.from_json(data), mtime)


def save_role_credentials(paths: Paths, profile: SsoProfile, creds: RoleCredentials) -> None:
    path = role_credentials_path(paths, profile)
    write_json(path, creds.to_json())
    _note_lifetime(paths, path, creds)


@contextlib.contextmanager
def session_lock(paths: Paths, session: SsoSession, timeout: float = 120.0) -> Iterator[None]:
    """One login or renewal per SSO session at a time, across processes."""
    with named_lock(paths, session.token_key, session.label, timeout):
        yield


@contextlib.contextmanager
def named_lock(
    paths: Paths,
    key: str,
    label: str,
    timeout: float = 120.0,
    waiting: Callable[[str], None] | None = None,
) -> Iterator[None]:
    """A cross-process lock for renewing ``label``, kept in devcreds' state folder.

    ``waiting`` is told once, with the holder ("process 1234"), when the lock is taken."""
    from devcreds.files import LockTimeout, exclusive, private_dir

    locks = paths.state / "locks"
    try:
        private_dir(locks)
    except OSError as exc:
        raise FileError(
            f"cannot create {locks}: {exc.strerror or exc}",
            hint=f"check the permissions of {locks.parent}",
        ) from None
    lock_path = locks / f"{key}.lock"
    try:
        with exclusive(lock_path, timeout, waiting):
            yield
    except LockTimeout as exc:
        raise FileError(
            f"waited {timeout:.0f} s for {exc.holder_text()}, which is renewing {label}",
            hint="retry when it has finished; it lets go of the lock when it ends, even if killed",
        ) from None
    except PermissionError as exc:
        raise FileError(
            f"cannot open the lock file {lock_path}: {exc.strerror}",
            hint=f"check the permissions of {locks}",
        ) from None
