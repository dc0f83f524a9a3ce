"""The AWS CLI's own cache files: keys, formats, atomic 0600 writes, and a lock per session.

- token:        ~/.aws/sso/cache/sha1(session name | start URL).json      (PROTOCOL.md §5.1)
- registration: ~/.aws/sso/cache/sha1(botocore's registration key).json  (§5.2)
- role creds:   ~/.aws/cli/cache/sha1(compact JSON of the role args).json (§5.3)

Readers are forgiving: a file that is missing, unreadable, not JSON or of the
wrong shape counts as absent, as it does for botocore. Stdlib only, because
the cached ``export`` path reads these.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

from devcreds import keys
from devcreds.awsconfig import RoleHop, SsoProfile, SsoSession
from devcreds.errors import FileError
from devcreds.paths import Paths

# What botocore and the AWS CLI treat as "about to expire" for tokens and role credentials.
REFRESH_WINDOW = dt.timedelta(minutes=15)


def parse_timestamp(text: str) -> dt.datetime:
    """ISO 8601 as written by the AWS CLI: ``…Z``, old CLIs' ``…UTC``, or an offset."""
    text = text.strip()
    for suffix in ("UTC", "Z"):
        if text.endswith(suffix):
            text = text[: -len(suffix)] + "+00:00"
    moment = dt.datetime.fromisoformat(text)
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)


def format_timestamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _repr(record: tuple[Any, ...], public: tuple[str, ...]) -> str:
    """A repr that names only the non-secret fields."""
    shown = ", ".join(f"{name}={getattr(record, name)!r}" for name in public)
    return f"{type(record).__name__}({shown}, …)"


class Token(NamedTuple):
    start_url: str
    region: str
    access_token: str
    expires_at: dt.datetime
    client_id: str | None = None
    client_secret: str | None = None
    registration_expires_at: dt.datetime | None = None
    refresh_token: str | None = None

    def __repr__(self) -> str:
        return _repr(self, ("start_url", "region", "expires_at", "client_id"))

    def fresh(self, now: dt.datetime) -> bool:
        return self.expires_at - now > REFRESH_WINDOW

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
        except (KeyError, TypeError, ValueError):
            return None


class Registration(NamedTuple):
    client_id: str
    client_secret: str
    expires_at: dt.datetime
    scopes: tuple[str, ...] | None = None
    grant_types: tuple[str, ...] | None = None

    def __repr__(self) -> str:
        return _repr(self, ("client_id", "expires_at", "scopes", "grant_types"))

    def usable(self, now: dt.datetime) -> bool:
        # The AWS CLI re-registers 15 minutes before expiry, and (since 2.22) when
        # a registration for the browser flow would be used for the device flow.
        return self.expires_at - now > REFRESH_WINDOW and "authorization_code" not in (
            self.grant_types or ()
        )

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
        except (KeyError, TypeError, ValueError):
            return None


class RoleCredentials(NamedTuple):
    access_key_id: str
    secret_access_key: str
    session_token: str
    expiration: dt.datetime
    account_id: str | None = None

    def __repr__(self) -> str:
        return _repr(self, ("access_key_id", "expiration", "account_id"))

    def fresh(self, now: dt.datetime) -> bool:
        return self.expiration - now > REFRESH_WINDOW

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
        except (KeyError, TypeError, ValueError):
            return None


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(value)
    return value


def _required_text(value: Any) -> str:
    if not _text(value):
        raise ValueError("empty")
    return value  # type: ignore[no-any-return]


def _optional_text(value: Any) -> str | None:
    return None if value is None else _text(value)


def _optional_texts(value: Any) -> tuple[str, ...] | None:
    if value is None:
        return None
    if not isinstance(value, list):
        raise TypeError(value)
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
    data = read_json(assumed_role_path(paths, hop))
    return RoleCredentials.from_json(data) if data is not None else None


def save_assumed_role(paths: Paths, hop: RoleHop, creds: RoleCredentials, arn: str) -> None:
    """As botocore's JSONFileCache stores an AssumeRole response (its datetimes end in UTC)."""
    write_json(
        assumed_role_path(paths, hop),
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


def read_json(path: Path) -> dict[str, Any] | None:
    """A cache file's object, or None when it is missing, unreadable or not a JSON object."""
    try:
        data = json.loads(path.read_bytes())
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        _debug("ignoring cache file %s: %s", path, type(exc).__name__)
        return None
    if not isinstance(data, dict):
        _debug("ignoring cache file %s: not a JSON object", path)
        return None
    return data


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


def remove(path: Path) -> bool:
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    return True


def load_token(paths: Paths, session: SsoSession) -> Token | None:
    data = read_json(token_path(paths, session))
    return Token.from_json(data) if data is not None else None


def save_token(paths: Paths, session: SsoSession, token: Token) -> None:
    write_json(token_path(paths, session), token.to_json())


def load_registration(paths: Paths, session: SsoSession) -> Registration | None:
    data = read_json(registration_path(paths, session))
    return Registration.from_json(data) if data is not None else None


def save_registration(paths: Paths, session: SsoSession, registration: Registration) -> None:
    write_json(registration_path(paths, session), registration.to_json())


def load_role_credentials(paths: Paths, profile: SsoProfile) -> RoleCredentials | None:
    data = read_json(role_credentials_path(paths, profile))
    if data is None or data.get("ProviderType", "sso") != "sso":
        return None
    return RoleCredentials.from_json(data)


def save_role_credentials(paths: Paths, profile: SsoProfile, creds: RoleCredentials) -> None:
    write_json(role_credentials_path(paths, profile), creds.to_json())


@contextlib.contextmanager
def session_lock(paths: Paths, session: SsoSession, timeout: float = 120.0) -> Iterator[None]:
    """One login or renewal per SSO session at a time, across processes."""
    with named_lock(paths, session.token_key, session.label, timeout):
        yield


@contextlib.contextmanager
def named_lock(paths: Paths, key: str, label: str, timeout: float = 120.0) -> Iterator[None]:
    """A cross-process lock for renewing ``label``, kept in devcreds' state folder."""
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
        with exclusive(lock_path, timeout):
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
