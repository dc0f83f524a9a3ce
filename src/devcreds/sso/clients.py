"""botocore clients for SSO OIDC and the SSO portal, and the one place their errors are translated.

botocore resolves endpoints (``AWS_ENDPOINT_URL*``, ``[services]`` sections),
proxies, CA bundles and retries; we only pick the region and turn its
exceptions into devcreds errors. Both services are unsigned, so creating a
client never looks for credentials.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from typing import Any

from devcreds import __version__
from devcreds.errors import AwsRefused, NetworkError

log = logging.getLogger(__name__)

NETWORK_HINT = "check the network, proxy (HTTPS_PROXY) and AWS_ENDPOINT_URL settings, then retry"


class ClientFactory:
    """Builds clients from one botocore session, created on first use."""

    def __init__(self, profile: str | None = None) -> None:
        self._profile = profile  # whose [services] endpoint settings apply; None: no profile
        self._session: Any = None

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
        return self._session

    @staticmethod
    def _config(**overrides: Any) -> Any:
        from botocore.config import Config

        return Config(
            connect_timeout=10,
            read_timeout=30,
            retries={"mode": "standard", "total_max_attempts": 3},
            **overrides,
        )

    def client(self, service: str, region: str) -> Any:
        """An unsigned client (SSO OIDC and the portal need no credentials)."""
        from botocore import UNSIGNED

        config = self._config(signature_version=UNSIGNED)
        return self._botocore().create_client(service, region_name=region, config=config)

    def signed(self, service: str, region: str, creds: Any) -> Any:
        """A client signing with ``creds`` (role credentials), e.g. STS for AssumeRole."""
        return self._botocore().create_client(
            service,
            region_name=region,
            config=self._config(),
            aws_access_key_id=creds.access_key_id,
            aws_secret_access_key=creds.secret_access_key,
            aws_session_token=creds.session_token,
        )


class Refused(Exception):
    """A service's "no" with its error code, before the caller decides what it means."""

    def __init__(self, code: str, message: str, what: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.what = what

    def as_error(self, hint: str | None = None) -> AwsRefused:
        detail = f"{self.code}: {self.message}" if self.message else self.code
        return AwsRefused(f"{self.what} was refused ({detail})", hint=hint)


@contextlib.contextmanager
def translating(what: str) -> Iterator[None]:
    """Inside: a refusal raises ``Refused``, a network failure ``NetworkError``."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        yield
    except ClientError as exc:
        error = exc.response.get("Error", {})
        raise Refused(str(error.get("Code", "")), str(error.get("Message") or ""), what) from None
    except BotoCoreError as exc:
        # botocore's messages name the endpoint and the failure, never a request body.
        raise NetworkError(f"{what} failed: {exc}", hint=NETWORK_HINT) from None


def call(client: Any, operation: str, what: str, **params: Any) -> dict[str, Any]:
    log.debug("%s: %s at %s", what, operation, client.meta.endpoint_url)  # never the params
    with translating(what):
        response: dict[str, Any] = getattr(client, operation)(**params)
    return response
