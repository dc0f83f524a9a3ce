"""The client factory: the Python twin of the seed's C# ``CreateClientAsync``, without its bugs.

The seed built static credentials from one AssumeRole (dead after an hour)
and called STS again for every client. Here the assumed-role credentials are
botocore's deferred refreshable credentials, renewed before they expire, and
one set is shared by every session and client built from equal settings in
the process: N clients make one AssumeRole per credential lifetime.

Settings come from keyword arguments, ``DEVCREDS_*`` environment variables
and a ``.env`` file, in that order of precedence (pydantic-settings).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import threading
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable
from typing import Any, ClassVar

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from devcreds import regions
from devcreds.errors import AwsRefused, NetworkError, UsageError
from devcreds.sso.clients import THROTTLE_HINT, THROTTLING_CODES, invalid_parameters

ENV_PREFIX = "DEVCREDS_"
_ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]{1,512}$")
_SESSION_NAME = re.compile(r"^[\w+=,.@-]{2,64}$")
_EXTERNAL_ID = re.compile(r"^[\w+=,.@:/-]{2,1224}$")


class SettingsError(UsageError):
    """A setting has a value that cannot work; the message names it and where it came from."""


class ClientSettings(BaseSettings):
    """How to build AWS clients: the default credential chain, or an assumed role."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        frozen=True,
    )

    use_default_credentials: bool = False
    region: str | None = None
    role_arn: str | None = None
    role_session_name: str = "devcreds"
    external_id: str | None = Field(default=None, repr=False)  # may be a shared secret
    duration_seconds: int = 3600
    profile: str | None = None
    endpoint_url: str | None = None

    _hints: ClassVar[dict[str, str]] = {
        "region": "a region such as eu-west-1",
        "role_arn": "an IAM role ARN such as arn:aws:iam::111111111111:role/App",
        "role_session_name": "2 to 64 characters of letters, digits and +=,.@_-",
        "external_id": "2 to 1224 characters of letters, digits and +=,.@:/_-",
        "duration_seconds": "a number of seconds from 900 to 43200",
        "endpoint_url": "an http(s) URL",
    }

    def __init__(self, **values: Any) -> None:
        try:
            super().__init__(**values)
        except ValidationError as exc:
            error = exc.errors()[0]
            name = str(error["loc"][0]) if error["loc"] else "settings"
            raise SettingsError(
                f"setting {name} ({_source(name, values)}): {error['msg']}",
                hint=f"{name} must be {self._hints.get(name, 'valid')}",
            ) from None

    @field_validator("region")
    @classmethod
    def _region(cls, value: str | None) -> str | None:
        if value is not None and not regions.valid(value):
            raise ValueError(f"{value!r} is not a region ({regions.hint(value)})")
        return value

    @field_validator("role_arn")
    @classmethod
    def _role_arn(cls, value: str | None) -> str | None:
        if value is not None and not _ROLE_ARN.match(value):
            raise ValueError(f"{value!r} is not an IAM role ARN")
        return value

    @field_validator("role_session_name")
    @classmethod
    def _session_name(cls, value: str) -> str:
        if not _SESSION_NAME.match(value):
            raise ValueError(f"{value!r} is not a valid session name")
        return value

    @field_validator("external_id")
    @classmethod
    def _external_id(cls, value: str | None) -> str | None:
        if value is not None and not _EXTERNAL_ID.match(value):
            raise ValueError("not a valid external id")  # no echo: it may be a shared secret
        return value

    @field_validator("duration_seconds")
    @classmethod
    def _duration(cls, value: int) -> int:
        if not 900 <= value <= 43200:
            raise ValueError(f"{value} is outside 900-43200")
        return value

    @field_validator("endpoint_url")
    @classmethod
    def _endpoint(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError(f"{value!r} is not an http(s) URL")
        return value

    @model_validator(mode="after")
    def _role_or_default(self) -> ClientSettings:
        if not self.use_default_credentials and self.role_arn is None:
            # The seed's rule: no role means the default chain.
            object.__setattr__(self, "use_default_credentials", True)
        return self


def _source(name: str, values: dict[str, Any]) -> str:
    if name in values:
        return "argument"
    if f"{ENV_PREFIX}{name}".upper() in {k.upper() for k in os.environ}:
        return f"environment variable {ENV_PREFIX}{name.upper()}"
    return f".env file ({ENV_PREFIX}{name.upper()})"


Clock = Callable[[], dt.datetime]


class _SharedRoles:
    """Assumed-role credentials by settings, one refreshable set each, for the whole process.

    Module-level on purpose: sharing across every client built in the process
    is the point. Guarded by a lock; the credentials refresh themselves.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._credentials: dict[tuple[Any, ...], Any] = {}

    def get(
        self,
        settings: ClientSettings,
        clock: Clock | None,
        make: Callable[[ClientSettings, Clock | None], Any],
        scope: object = None,
    ) -> Any:
        """The shared credentials for these settings; ``scope`` separates event loops."""
        key = (
            make,
            scope,
            settings.role_arn,
            settings.role_session_name,
            settings.external_id,
            settings.duration_seconds,
            settings.profile,
            settings.region,
            settings.endpoint_url,
            clock,
        )
        with self._lock:
            if key not in self._credentials:
                self._credentials[key] = make(settings, clock)
            return self._credentials[key]

    def clear(self) -> None:
        with self._lock:
            self._credentials.clear()


_SHARED = _SharedRoles()


def _assume_request(settings: ClientSettings) -> dict[str, Any]:
    request: dict[str, Any] = {
        "RoleArn": settings.role_arn,
        "RoleSessionName": settings.role_session_name,
        "DurationSeconds": settings.duration_seconds,
    }
    if settings.external_id:
        request["ExternalId"] = settings.external_id
    return request


def _metadata(response: dict[str, Any]) -> dict[str, str]:
    credentials = response["Credentials"]
    return {
        "access_key": credentials["AccessKeyId"],
        "secret_key": credentials["SecretAccessKey"],
        "token": credentials["SessionToken"],
        "expiry_time": credentials["Expiration"].isoformat(),
    }


def _sts_error(exc: Exception, settings: ClientSettings) -> Exception:
    """STS's refusal or silence as a devcreds error (one place for the sync and async twins)."""
    from botocore.exceptions import ClientError, NoCredentialsError, ParamValidationError

    if isinstance(exc, ParamValidationError):
        # The CLI's translation names the parameters and never a value; the hint is ours,
        # since these settings come from ClientSettings, not the AWS config file.
        what = f"assuming {settings.role_arn}"
        refused = invalid_parameters(what, str(exc.kwargs.get("report", "")), None)
        return UsageError(refused.message, hint="check the ClientSettings (or DEVCREDS_*) values")
    if isinstance(exc, NoCredentialsError):
        return UsageError(
            f"there are no credentials to assume {settings.role_arn} with",
            hint="set profile (e.g. an SSO profile after devcreds login) or AWS_* variables",
        )
    if isinstance(exc, ClientError):
        code = exc.response.get("Error", {}).get("Code", "")
        if code in THROTTLING_CODES:
            return AwsRefused(
                f"STS is throttling the requests to assume {settings.role_arn}", hint=THROTTLE_HINT
            )
        if code in ("ExpiredToken", "ExpiredTokenException", "InvalidClientTokenId"):
            return AwsRefused(
                f"the credentials used to assume {settings.role_arn} are expired or invalid",
                hint="devcreds login --profile PROFILE (or refresh the source credentials)",
            )
        return AwsRefused(
            f"assuming {settings.role_arn} was refused ({code})",
            hint="check the role's trust policy and the external id",
        )
    return NetworkError(
        f"cannot reach STS to assume {settings.role_arn}: {exc}",
        hint="check the network, proxy and endpoint_url / AWS_ENDPOINT_URL_STS",
    )


def _budget() -> Any:
    """The CLI's network budget for the library's STS calls too (botocore's default is 60 s)."""
    from botocore.config import Config

    return Config(
        connect_timeout=5, read_timeout=5, retries={"mode": "standard", "total_max_attempts": 2}
    )


def _assumed_role_credentials(settings: ClientSettings, clock: Clock | None) -> Any:
    import botocore.session
    from botocore.credentials import DeferredRefreshableCredentials
    from botocore.exceptions import BotoCoreError, ClientError

    source = botocore.session.Session(profile=settings.profile)
    sts: Any = source.create_client(
        "sts", region_name=settings.region, endpoint_url=settings.endpoint_url, config=_budget()
    )
    request = _assume_request(settings)

    def assume() -> dict[str, str]:
        try:
            return _metadata(sts.assume_role(**request))
        except (ClientError, BotoCoreError) as exc:
            raise _sts_error(exc, settings) from None

    return DeferredRefreshableCredentials(
        refresh_using=assume, method="devcreds-assume-role", time_fetcher=clock or _utc_now
    )


def _async_assumed_role_credentials(settings: ClientSettings, clock: Clock | None) -> Any:
    from aiobotocore.credentials import AioDeferredRefreshableCredentials
    from aiobotocore.session import AioSession
    from botocore.exceptions import BotoCoreError, ClientError

    source = AioSession(profile=settings.profile)
    request = _assume_request(settings)

    async def assume() -> dict[str, str]:
        try:
            async with source.create_client(
                "sts",
                region_name=settings.region,
                endpoint_url=settings.endpoint_url,
                config=_budget(),
            ) as sts:
                return _metadata(await sts.assume_role(**request))
        except (ClientError, BotoCoreError) as exc:
            raise _sts_error(exc, settings) from None

    return AioDeferredRefreshableCredentials(
        refresh_using=assume, method="devcreds-assume-role", time_fetcher=clock or _utc_now
    )


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def create_session(settings: ClientSettings | None = None, *, clock: Clock | None = None) -> Any:
    """A boto3 Session: the default chain, or the shared self-refreshing assumed role.

    ``endpoint_url`` applies to the AssumeRole calls and to ``create_client``; pass it
    to ``session.client`` yourself. ``clock`` (a UTC ``datetime`` factory) is for tests.
    """
    import boto3
    import botocore.session
    from botocore.credentials import CredentialProvider

    settings = settings or ClientSettings()
    core = botocore.session.Session(profile=settings.profile)
    if not settings.use_default_credentials:
        shared = _SHARED.get(settings, clock, _assumed_role_credentials)

        class _Shared(CredentialProvider):
            METHOD = "devcreds-assume-role"

            def load(self) -> Any:
                return shared

        _first(core.get_component("credential_provider"), _Shared())
    return boto3.session.Session(botocore_session=core, region_name=settings.region)


def _first(resolver: Any, provider: Any) -> None:
    """Put ``provider`` first in botocore's chain. Not before "env" by name: with a profile
    set, botocore leaves the environment provider out of the chain altogether."""
    resolver.insert_before(resolver.providers[0].METHOD, provider)


def create_client(
    service: str,
    settings: ClientSettings | None = None,
    *,
    clock: Clock | None = None,
    **client_kwargs: Any,
) -> Any:
    """A boto3 client for ``service`` (``client_kwargs`` go to ``Session.client``)."""
    settings = settings or ClientSettings()
    if settings.endpoint_url:
        client_kwargs.setdefault("endpoint_url", settings.endpoint_url)
    if settings.use_default_credentials:
        # A new session each time: botocore keeps the credentials a session resolved, and
        # the default chain's (a credentials file devcreds rewrites hourly) must be re-read.
        return create_session(settings, clock=clock).client(service, **client_kwargs)
    return _SESSIONS.get(settings, clock).client(service, **client_kwargs)


class _ThreadSessions:
    """The boto3 Session that ``create_client`` builds assumed-role clients from, one per
    thread and settings (botocore sessions are not thread-safe; their clients are).

    A new session costs ~100 ms of loading models; a client from a warm one ~10 ms
    (measured), and a factory is called for every client. Only for the assumed role: its
    credentials are the shared self-refreshing set, never something the session keeps.
    """

    MOST = 32  # sessions kept per thread; the least recently used goes first

    def __init__(self) -> None:
        self._local = threading.local()

    def get(self, settings: ClientSettings, clock: Clock | None) -> Any:
        sessions: OrderedDict[tuple[Any, ...], Any] | None = getattr(self._local, "kept", None)
        if sessions is None:
            sessions = self._local.kept = OrderedDict()
        key = (settings, clock)
        session = sessions.get(key)
        if session is None:
            session = sessions[key] = create_session(settings, clock=clock)
            if len(sessions) > self.MOST:
                sessions.popitem(last=False)
        sessions.move_to_end(key)
        return session


_SESSIONS = _ThreadSessions()


@contextlib.asynccontextmanager
async def create_async_client(
    service: str,
    settings: ClientSettings | None = None,
    *,
    clock: Clock | None = None,
    **client_kwargs: Any,
) -> AsyncIterator[Any]:
    """``async with create_async_client("s3", settings) as s3:`` - the asyncio twin (aiobotocore).

    Same settings, same sharing: the clients of one event loop built from equal
    settings share one set of self-refreshing assumed-role credentials.
    Needs the ``async`` extra: ``pip install devcreds[async]``.
    """
    import asyncio

    from botocore.credentials import CredentialProvider

    try:
        from aiobotocore.session import AioSession
    except ImportError:
        raise UsageError(
            "create_async_client needs aiobotocore", hint="pip install 'devcreds[async]'"
        ) from None
    settings = settings or ClientSettings()
    session = AioSession(profile=settings.profile)
    if not settings.use_default_credentials:
        loop = asyncio.get_running_loop()  # asyncio locks inside belong to one loop
        shared = _SHARED.get(settings, clock, _async_assumed_role_credentials, loop)

        class _SharedAsync(CredentialProvider):
            METHOD = "devcreds-assume-role"

            async def load(self) -> Any:  # aiobotocore's resolver awaits load()
                return shared

        _first(session.get_component("credential_provider"), _SharedAsync())
    if settings.endpoint_url:
        client_kwargs.setdefault("endpoint_url", settings.endpoint_url)
    async with session.create_client(
        service, region_name=settings.region, **client_kwargs
    ) as client:
        yield client
