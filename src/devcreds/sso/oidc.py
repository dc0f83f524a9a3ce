"""SSO OIDC calls: register a client, start and poll a device authorization, redeem an
authorization code, refresh a token."""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field
from typing import Any

from devcreds.cache import Registration
from devcreds.errors import AwsRefused, LoginRequired, RegistrationRejected
from devcreds.sso import pkce
from devcreds.sso.clients import Refused, call

DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"


@dataclass(frozen=True)
class DeviceAuthorization:
    device_code: str = field(repr=False)
    user_code: str
    verification_uri: str
    verification_uri_complete: str
    expires_in: int
    interval: int


@dataclass(frozen=True)
class TokenGrant:
    access_token: str = field(repr=False)
    expires_in: int
    refresh_token: str | None = field(default=None, repr=False)


class Poll(enum.Enum):
    """The two normal answers while the user has not approved yet."""

    PENDING = "authorization_pending"
    SLOW_DOWN = "slow_down"


class Oidc:
    def __init__(self, client: Any) -> None:
        self._client = client

    def register(self, name: str, scopes: tuple[str, ...] | None, now: dt.datetime) -> Registration:
        params: dict[str, Any] = {"clientName": name, "clientType": "public"}
        if scopes:
            params["scopes"] = list(scopes)
        return self._register(params, scopes or None, None)

    def register_for_browser(
        self, name: str, scopes: tuple[str, ...] | None, issuer_url: str, now: dt.datetime
    ) -> Registration:
        """A client for the browser flow, registered as the AWS CLI does
        (``SSOTokenFetcherAuth._register_client``; docs/protocol.md §1.1)."""
        registered_scopes = tuple(scopes or pkce.DEFAULT_SCOPES)
        params = {
            "clientName": name,
            "clientType": "public",
            "grantTypes": list(pkce.GRANT_TYPES),
            "redirectUris": [pkce.REGISTERED_REDIRECT_URI],
            "issuerUrl": issuer_url,
            "scopes": list(registered_scopes),
        }
        return self._register(params, registered_scopes, pkce.GRANT_TYPES)

    def _register(
        self,
        params: dict[str, Any],
        scopes: tuple[str, ...] | None,
        grant_types: tuple[str, ...] | None,
    ) -> Registration:
        try:
            answer = call(self._client, "register_client", "registering the client", **params)
        except Refused as exc:
            raise exc.as_error() from None
        return Registration(
            client_id=answer["clientId"],
            client_secret=answer["clientSecret"],
            # Epoch seconds here (the portal uses milliseconds).
            expires_at=dt.datetime.fromtimestamp(answer["clientSecretExpiresAt"], dt.UTC),
            scopes=scopes,
            grant_types=grant_types,
        )

    @property
    def endpoint_url(self) -> str:
        """Where the calls go (AWS_ENDPOINT_URL* honoured); /authorize is at its root."""
        return str(self._client.meta.endpoint_url)

    def redeem_code(
        self,
        registration: Registration,
        code: str,
        redirect_uri: str,
        verifier: str,
        login_hint: str,
    ) -> TokenGrant:
        """CreateToken with the authorization code the browser brought back."""
        try:
            answer = call(
                self._client,
                "create_token",
                "the browser login",
                clientId=registration.client_id,
                clientSecret=registration.client_secret,
                grantType=pkce.AUTH_CODE_GRANT,
                redirectUri=redirect_uri,
                codeVerifier=verifier,
                code=code,
            )
        except Refused as exc:
            if exc.code == "ExpiredTokenException":
                raise LoginRequired(
                    "the sign-in expired before devcreds could use it", hint=login_hint
                ) from None
            if exc.code == "InvalidClientException":
                raise RegistrationRejected(str(exc.as_error())) from None
            raise exc.as_error(hint=login_hint) from None
        return _grant(answer)

    def start_device_authorization(
        self, registration: Registration, start_url: str
    ) -> DeviceAuthorization:
        try:
            answer = call(
                self._client,
                "start_device_authorization",
                "starting the device login",
                clientId=registration.client_id,
                clientSecret=registration.client_secret,
                startUrl=start_url,
            )
        except Refused as exc:
            if exc.code == "InvalidClientException":
                raise RegistrationRejected(str(exc.as_error())) from None
            raise exc.as_error() from None
        return DeviceAuthorization(
            device_code=answer["deviceCode"],
            user_code=answer["userCode"],
            verification_uri=answer["verificationUri"],
            verification_uri_complete=answer["verificationUriComplete"],
            expires_in=int(answer["expiresIn"]),
            interval=int(answer.get("interval") or 5),  # RFC 8628's default
        )

    def poll_device(
        self, registration: Registration, device: DeviceAuthorization, login_hint: str
    ) -> TokenGrant | Poll:
        try:
            answer = call(
                self._client,
                "create_token",
                "the device login",
                clientId=registration.client_id,
                clientSecret=registration.client_secret,
                grantType=DEVICE_GRANT,
                deviceCode=device.device_code,
            )
        except Refused as exc:
            if exc.code == "AuthorizationPendingException":
                return Poll.PENDING
            if exc.code == "SlowDownException":
                return Poll.SLOW_DOWN
            if exc.code == "ExpiredTokenException":
                raise LoginRequired(
                    "the sign-in code expired before it was approved", hint=login_hint
                ) from None
            if exc.code == "AccessDeniedException":
                raise AwsRefused("the sign-in request was denied", hint=login_hint) from None
            raise exc.as_error(hint=login_hint) from None
        return _grant(answer)

    def refresh(self, client_id: str, client_secret: str, refresh_token: str) -> TokenGrant:
        """A new token pair; ``Refused`` propagates so the caller can tell "log in" from "retry"."""
        answer = call(
            self._client,
            "create_token",
            "renewing the SSO token",
            clientId=client_id,
            clientSecret=client_secret,
            grantType="refresh_token",
            refreshToken=refresh_token,
        )
        return _grant(answer)


def _grant(answer: dict[str, Any]) -> TokenGrant:
    return TokenGrant(
        access_token=answer["accessToken"],
        expires_in=int(answer["expiresIn"]),
        refresh_token=answer.get("refreshToken"),
    )
