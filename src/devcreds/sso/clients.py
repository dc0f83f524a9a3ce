"""botocore clients for SSO OIDC, the SSO portal and STS, and the one place their errors are
translated.

botocore resolves endpoints (``AWS_ENDPOINT_URL*``, ``[services]`` sections),
proxies, CA bundles and retries; we pick the region, bound every network wait
and turn its exceptions into devcreds errors by kind: a request botocore
refuses to send is a usage error naming the AWS config key it came from, a
throttled call is a refusal with its own hint, anything else that never got an
answer is a network error. SSO OIDC and the portal are unsigned, so creating
their clients never looks for credentials.
"""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import Iterator
from typing import Any

from devcreds import __version__
from devcreds.errors import AwsRefused, NetworkError, ServerFault, Throttled, UsageError

log = logging.getLogger(__name__)

NETWORK_HINT = "check the network, proxy (HTTPS_PROXY) and AWS_ENDPOINT_URL settings, then retry"
THROTTLE_HINT = "the service is throttling requests; retry in a minute"

# The time budget of one call: every attempt may wait CONNECT_TIMEOUT to connect and
# READ_TIMEOUT for each read, and botocore makes at most MAX_ATTEMPTS (backoff between
# attempts after a timeout is a fraction of a second). An endpoint that accepts connections
# and never answers fails after about MAX_ATTEMPTS * READ_TIMEOUT = 10 s; a slow one that
# answers within READ_TIMEOUT (the emulator's --latency-ms 2000) still works. Once a call
# of the process has timed out, clients built after it make a single attempt: a command
# that carries on after a failed renewal (the token still works) waits about 15 s in all.
CONNECT_TIMEOUT = 5
READ_TIMEOUT = 5
MAX_ATTEMPTS = 2
# Connections a client keeps per host: at least the listing flow's threads (botocore's
# default, 10, would discard connections and reconnect).
MAX_POOL_CONNECTIONS = 24

# Error codes that mean "too many requests", whatever the service calls it (SSO OIDC's
# SlowDownException is only a normal answer inside the device poll, which checks first).
THROTTLING_CODES = frozenset(
    {
        "TooManyRequestsException",
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestThrottledException",
        "RequestLimitExceeded",
        "SlowDownException",
        "SlowDown",
    }
)

# Error codes of a failure on the service's side (a retry may succeed).
SERVER_FAULT_CODES = frozenset({"InternalServerException", "InternalFailure", "ServiceUnavailable"})

# Request parameters that come from the AWS config file, by the key they come from.
CONFIG_KEYS = {
    "RoleArn": "role_arn",
    "ExternalId": "external_id",
    "RoleSessionName": "role_session_name",
    "DurationSeconds": "duration_seconds",
    "accountId": "sso_account_id",
    "roleName": "sso_role_name",
    "startUrl": "sso_start_url",
    "scopes": "sso_registration_scopes",
}


class ClientFactory:
    """Builds clients from one botocore session, created on first use."""

    def __init__(self, profile: str | None = None) -> None:
        self._profile = profile  # whose [services] endpoint settings apply; None: no profile
        self._session: Any = None
        self.timed_out = False  # a call of ours waited out its whole budget

    def _note_timeout(self, exception: BaseException | None = None, **_: Any) -> None:
        from botocore.exceptions import ConnectTimeoutError, ReadTimeoutError

        if isinstance(exception, ConnectTimeoutError | ReadTimeoutError):
            self.timed_out = True

    def _botocore(self) -> Any:
        if self._session is None:
            import botocore.session

            if self._profile is not None:
                self._session = botocore.session.Session(profile=self._profile)
            else:
                # No profile at all, not even AWS_PROFILE: botocore would insist it exists.
                self._session = botocore.session.Session(
                    session_vars={"profile": (None, None, None, None)}
                )
            self._session.user_agent_extra = f"devcreds/{__version__}"
            # Seen by every client made from the session after this (they copy its handlers).
            self._session.register("after-call-error", self._note_timeout)
        return self._session

    def _config(self, attempts: int = MAX_ATTEMPTS, **overrides: Any) -> Any:
        from botocore.config import Config

        attempts = 1 if self.timed_out else attempts
        return Config(
            connect_timeout=CONNECT_TIMEOUT,
            read_timeout=READ_TIMEOUT,
            retries={"mode": "standard", "total_max_attempts": attempts},
            max_pool_connections=MAX_POOL_CONNECTIONS,
            **overrides,
        )

    def client(self, service: str, region: str, attempts: int = MAX_ATTEMPTS) -> Any:
        """An unsigned client (SSO OIDC and the portal need no credentials). ``attempts=1``
        for a caller that retries by itself (the listing flow paces around throttling)."""
        from botocore import UNSIGNED

        config = self._config(attempts, signature_version=UNSIGNED)
        with _creating(service, region):
            return self._botocore().create_client(service, region_name=region, config=config)

    def signed(self, service: str, region: str, creds: Any) -> Any:
        """A client signing with ``creds`` (role credentials), e.g. STS for AssumeRole."""
        with _creating(service, region):
            return self._botocore().create_client(
                service,
                region_name=region,
                config=self._config(),
                aws_access_key_id=creds.access_key_id,
                aws_secret_access_key=creds.secret_access_key,
                aws_session_token=creds.session_token,
            )


@contextlib.contextmanager
def _creating(service: str, region: str) -> Iterator[None]:
    """Inside: creating a client; a bad region or endpoint setting raises ``UsageError``."""
    from botocore.exceptions import InvalidRegionError

    try:
        yield
    except InvalidRegionError:
        raise UsageError(
            f"{region!r} is not an AWS region",
            hint="fix region (or sso_region) in the AWS config file, e.g. region = eu-west-1",
        ) from None
    except ValueError as exc:
        # "Invalid endpoint: ...", "Invalid IPv6 URL": botocore checks the URL it resolved.
        raise UsageError(
            f"the endpoint URL for {service} is not usable ({exc})",
            hint="fix AWS_ENDPOINT_URL (or AWS_ENDPOINT_URL_<SERVICE>, endpoint_url in "
            "[services]) to a URL such as http://127.0.0.1:4566",
        ) from None


class Refused(Exception):
    """A service's "no" with its error code, before the caller decides what it means."""

    def __init__(self, code: str, message: str, what: str, status: int | None = None) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.what = what
        self.status = status  # the HTTP status of the last answer, when botocore kept it

    @property
    def throttled(self) -> bool:
        """Too many requests, still so after botocore's retries."""
        return self.code in THROTTLING_CODES or self.status == 429

    def as_error(self, hint: str | None = None) -> AwsRefused:
        """The refusal as the user sees it; throttling always gets its own hint."""
        detail = f"{self.code}: {self.message}" if self.message else self.code
        if self.throttled:
            return Throttled(f"{self.what} was throttled ({detail})", hint=THROTTLE_HINT)
        if self.code in SERVER_FAULT_CODES or (self.status or 0) >= 500:
            return ServerFault(f"{self.what} was refused ({detail})", hint=hint)
        return AwsRefused(f"{self.what} was refused ({detail})", hint=hint)


@contextlib.contextmanager
def translating(what: str, config_section: str | None = None) -> Iterator[None]:
    """Inside: a refusal raises ``Refused``, a request botocore will not send ``UsageError``,
    a network failure ``NetworkError``.

    ``config_section`` ("profile deploy") is the AWS config file section the request's
    parameters came from; the usage error's hint names it.
    """
    from botocore.exceptions import BotoCoreError, ClientError, ParamValidationError

    try:
        yield
    except ClientError as exc:
        error = exc.response.get("Error", {})
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        raise Refused(
            str(error.get("Code", "")),
            str(error.get("Message") or ""),
            what,
            status if isinstance(status, int) else None,
        ) from None
    except ParamValidationError as exc:
        raise invalid_parameters(what, str(exc.kwargs.get("report", "")), config_section) from None
    except BotoCoreError as exc:
        # botocore's messages name the endpoint and the failure, never a request body.
        raise NetworkError(f"{what} failed: {exc}", hint=NETWORK_HINT) from None


def call(
    client: Any, operation: str, what: str, *, config_section: str | None = None, **params: Any
) -> dict[str, Any]:
    """``client.<operation>(**params)``, its errors translated (see ``translating``)."""
    log.debug("%s: %s at %s", what, operation, client.meta.endpoint_url)  # never the params
    with translating(what, config_section):
        response: dict[str, Any] = getattr(client, operation)(**params)
    return response


# One line of botocore's validation report: the parameter's name, then what is wrong. The
# report also carries values (external_id may be a shared secret), so only these are kept.
_REPORT_LINE = re.compile(
    r"^(?:Invalid (?P<kind>length|value|type) for parameter (?P<name>[^,\s]+),"
    r".*?(?:valid min (?:length|value): (?P<min>\S+))?$"
    r'|Missing required parameter in [^:]*: "(?P<missing>[^"]+)"'
    r'|Unknown parameter in [^:]*: "(?P<unknown>[^"]+)".*'
    r"|Invalid parameter (?P<unjson>\S+) must be json serializable.*)$"
)


def invalid_parameters(what: str, report: str, section: str | None) -> UsageError:
    """botocore's refusal to send a request, naming config keys and never a value."""
    problems: list[tuple[str, str]] = []  # (parameter, what is wrong with it)
    for line in report.splitlines():
        match = _REPORT_LINE.match(line.strip())
        if match is None:
            continue
        if match["missing"]:
            problems.append((match["missing"], "is missing"))
        elif match["unknown"]:
            problems.append((match["unknown"], "is not a parameter of this call"))
        elif match["unjson"]:
            problems.append((match["unjson"], "cannot be sent"))
        elif match["kind"] == "length":
            problems.append((match["name"], f"is too short (at least {match['min']} characters)"))
        elif match["kind"] == "value":
            problems.append((match["name"], f"is too small (at least {match['min']})"))
        else:
            problems.append((match["name"], "has the wrong type"))
    if not problems:
        problems.append(("a parameter", "is not valid"))
    keys: list[str] = []
    described: list[str] = []
    for parameter, problem in problems:
        top = re.split(r"[.\[]", parameter, maxsplit=1)[0]
        key = CONFIG_KEYS.get(top)
        if key is None:
            described.append(f"parameter {parameter} {problem}")
            continue
        if key not in keys:
            keys.append(key)
        described.append(f"{key} {problem}")
    where = f"[{section}]" if section else "the profile's section"
    if keys:
        hint = f"fix {' and '.join(keys)} in {where} of the AWS config file"
    else:
        hint = "this is a devcreds bug; devcreds --debug shows the call, please report it"
    if keys:
        return UsageError(
            f"{what}: in {where} of the AWS config file, {'; '.join(described)}", hint=hint
        )
    return UsageError(f"{what}: {'; '.join(described)}", hint=hint)
