"""RegisterClient and StartDeviceAuthorization, driven through boto3's sso-oidc client."""

from __future__ import annotations

import re

import pytest
from botocore.exceptions import ClientError

from tests.support import START_URL, error_code, register


def test_register_client_returns_epoch_seconds(emu):
    """clientIdIssuedAt and clientSecretExpiresAt are epoch seconds, 90 days apart."""
    client = register(emu.client("sso-oidc"))
    assert client["clientIdIssuedAt"] == int(emu.clock.now)
    assert client["clientSecretExpiresAt"] - client["clientIdIssuedAt"] == 90 * 24 * 3600


def test_register_client_names_its_endpoints(emu):
    """The registration points at /authorize and /token on the emulator."""
    client = register(emu.client("sso-oidc"))
    assert (client["authorizationEndpoint"], client["tokenEndpoint"]) == (
        f"{emu.url}/authorize",
        f"{emu.url}/token",
    )


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"clientType": "confidential"}, "InvalidClientMetadataException"),
        ({"grantTypes": ["password"]}, "UnsupportedGrantTypeException"),
        ({"scopes": ["not a scope"]}, "InvalidScopeException"),
        (
            {"grantTypes": ["authorization_code"], "redirectUris": ["http://example.com/cb"]},
            "InvalidRedirectUriException",
        ),
        ({"grantTypes": ["authorization_code", "refresh_token"]}, "InvalidRequestException"),
    ],
)
def test_register_client_rejects_bad_metadata(emu, kwargs, code):
    """Bad client metadata gets the modeled 400 error."""
    with pytest.raises(ClientError) as exc:
        register(emu.client("sso-oidc"), **kwargs)
    assert (error_code(exc), exc.value.response["ResponseMetadata"]["HTTPStatusCode"]) == (
        code,
        400,
    )


def test_start_device_authorization_returns_every_field(emu):
    """All fields the AWS CLI requires are there, the user code is XXXX-XXXX."""
    oidc = emu.client("sso-oidc")
    client = register(oidc)
    device = oidc.start_device_authorization(
        clientId=client["clientId"], clientSecret=client["clientSecret"], startUrl=START_URL
    )
    assert re.fullmatch(r"[B-Z]{4}-[B-Z]{4}", device["userCode"])
    assert device["verificationUri"] == f"{emu.url}/device"
    assert device["verificationUriComplete"] == f"{emu.url}/device?user_code={device['userCode']}"
    assert (device["expiresIn"], device["interval"]) == (600, 1)
    assert device["deviceCode"]


@pytest.mark.parametrize("what", ["unknown client", "wrong secret"])
def test_start_device_authorization_rejects_bad_client(emu, what):
    """An unknown client id or a wrong secret is InvalidClientException, HTTP 401."""
    oidc = emu.client("sso-oidc")
    client = register(oidc)
    client_id = "cid-nobody" if what == "unknown client" else client["clientId"]
    with pytest.raises(ClientError) as exc:
        oidc.start_device_authorization(
            clientId=client_id, clientSecret="wrong", startUrl=START_URL
        )
    assert (error_code(exc), exc.value.response["ResponseMetadata"]["HTTPStatusCode"]) == (
        "InvalidClientException",
        401,
    )


def test_expired_registration_is_an_invalid_client(emu):
    """After 90 days the registration no longer authenticates."""
    oidc = emu.client("sso-oidc")
    client = register(oidc)
    emu.clock.advance(90 * 24 * 3600 + 1)
    with pytest.raises(ClientError) as exc:
        oidc.start_device_authorization(
            clientId=client["clientId"], clientSecret=client["clientSecret"], startUrl=START_URL
        )
    assert error_code(exc) == "InvalidClientException"


def test_pkce_only_client_may_not_start_device_authorization(emu):
    """A client registered for authorization_code alone gets UnauthorizedClientException."""
    oidc = emu.client("sso-oidc")
    client = register(
        oidc,
        grantTypes=["authorization_code", "refresh_token"],
        redirectUris=["http://127.0.0.1/oauth/callback"],
    )
    with pytest.raises(ClientError) as exc:
        oidc.start_device_authorization(
            clientId=client["clientId"], clientSecret=client["clientSecret"], startUrl=START_URL
        )
    assert error_code(exc) == "UnauthorizedClientException"
