"""Requests, responses and service errors as the AWS protocols put them on the wire.

SSO OIDC and the SSO portal speak rest-json; STS speaks the query protocol
with XML answers. Each error of those names its model shape in ``x-amzn-ErrorType``,
which is the first place botocore looks for the error code. The console federation
endpoint has no SDK model: JSON answers, and a status with an HTML page for errors.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs
from xml.sax.saxutils import escape

from devcreds.emulator import pages


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-cased names, underscores kept
    body: bytes = field(repr=False)
    base_url: str  # scheme://host:port the client used to reach us

    def param(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[0] if values else None

    def form(self) -> dict[str, str]:
        """The urlencoded body (and query), first value of each name."""
        merged = parse_qs(self.body.decode("utf-8", "replace"), keep_blank_values=True)
        for name, values in self.query.items():
            merged.setdefault(name, values)
        return {name: values[0] for name, values in merged.items()}


@dataclass(frozen=True)
class Response:
    status: int
    body: bytes = field(default=b"", repr=False)
    headers: dict[str, str] = field(default_factory=dict)


def request_id() -> str:
    return str(uuid.uuid4())


def json_response(payload: dict[str, Any], status: int = 200) -> Response:
    return Response(
        status,
        json.dumps(payload).encode(),
        {"Content-Type": "application/json", "x-amzn-RequestId": request_id()},
    )


def empty_response(status: int = 200) -> Response:
    return Response(status, b"", {"x-amzn-RequestId": request_id()})


def html_response(page: str, status: int = 200) -> Response:
    return Response(status, page.encode(), {"Content-Type": "text/html; charset=utf-8"})


def redirect(location: str) -> Response:
    return Response(302, b"", {"Location": location, "Cache-Control": "no-store"})


# Characters XML 1.0 forbids even as references; a message echoing a hostile value
# must still parse, so they become U+FFFD.
_NOT_XML = re.compile(r"[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(text: str) -> str:
    """``text`` escaped for an XML element, with characters XML cannot carry replaced."""
    return escape(_NOT_XML.sub("\ufffd", text))


class ServiceError(Exception):
    """An error answer of one of the emulated services."""

    def __init__(self, code: str, status: int, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.status = status
        self.message = message

    def render(self) -> Response:
        raise NotImplementedError

    @classmethod
    def throttled(cls) -> ServiceError:
        return cls("TooManyRequestsException", 429, "Rate exceeded")

    @classmethod
    def internal(cls) -> ServiceError:
        return cls("InternalServerException", 500, "An internal error occurred.")

    @classmethod
    def malformed(cls, message: str) -> ServiceError:
        """The service's answer to a request it cannot even read (body, framing, URL)."""
        return cls("InvalidRequestException", 400, message)


# The OAuth ``error`` value each SSO OIDC error shape carries (fixed by the model).
OAUTH_ERRORS = {
    "AccessDeniedException": "access_denied",
    "AuthorizationPendingException": "authorization_pending",
    "ExpiredTokenException": "expired_token",
    "InternalServerException": "server_error",
    "InvalidClientException": "invalid_client",
    "InvalidClientMetadataException": "invalid_client_metadata",
    "InvalidGrantException": "invalid_grant",
    "InvalidRedirectUriException": "invalid_redirect_uri",
    "InvalidRequestException": "invalid_request",
    "InvalidScopeException": "invalid_scope",
    "SlowDownException": "slow_down",
    "UnauthorizedClientException": "unauthorized_client",
    "UnsupportedGrantTypeException": "unsupported_grant_type",
}


class OidcError(ServiceError):
    """SSO OIDC error: like the real service, ``error`` + ``error_description``, no ``message``."""

    def __init__(self, code: str, message: str, status: int | None = None) -> None:
        if status is None:
            status = {"InvalidClientException": 401, "InternalServerException": 500}.get(code, 400)
        super().__init__(code, status, message)

    @classmethod
    def throttled(cls) -> ServiceError:
        # The sso-oidc model has no TooManyRequestsException: every operation (RegisterClient,
        # StartDeviceAuthorization, CreateToken, CreateTokenWithIAM) lists SlowDownException,
        # a 400 that botocore does not retry. The portal's throttling is 429 (PortalError).
        return cls("SlowDownException", "Rate exceeded", 400)

    @classmethod
    def internal(cls) -> ServiceError:
        return cls("InternalServerException", "An internal error occurred.")

    @classmethod
    def malformed(cls, message: str) -> ServiceError:
        return cls("InvalidRequestException", message)

    def render(self) -> Response:
        body = {"error": OAUTH_ERRORS.get(self.code, "invalid_request")}
        body["error_description"] = self.message
        response = json_response(body, self.status)
        response.headers["x-amzn-ErrorType"] = self.code
        return response


class PortalError(ServiceError):
    """SSO portal error: body ``{"message": ...}``."""

    def render(self) -> Response:
        response = json_response({"message": self.message}, self.status)
        response.headers["x-amzn-ErrorType"] = self.code
        return response


class StsError(ServiceError):
    """STS error: an XML ``ErrorResponse``."""

    @classmethod
    def throttled(cls) -> ServiceError:
        return cls("Throttling", 400, "Rate exceeded")

    @classmethod
    def internal(cls) -> ServiceError:
        return cls("InternalFailure", 500, "An internal error occurred.")

    @classmethod
    def malformed(cls, message: str) -> ServiceError:
        return cls("ValidationError", 400, message)

    def render(self) -> Response:
        kind = "Receiver" if self.status >= 500 else "Sender"
        rid = request_id()
        body = (
            '<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">'
            f"<Error><Type>{kind}</Type><Code>{xml_text(self.code)}</Code>"
            f"<Message>{xml_text(self.message)}</Message></Error>"
            f"<RequestId>{rid}</RequestId></ErrorResponse>"
        )
        return Response(
            self.status, body.encode(), {"Content-Type": "text/xml", "x-amzn-RequestId": rid}
        )


class FederationError(ServiceError):
    """Federation endpoint error: a status and a short HTML page. Clients (aws-vault, granted,
    aws-sso-util) look only at the status; the page says why, for a person."""

    @classmethod
    def throttled(cls) -> ServiceError:
        return cls("Throttling", 429, "Rate exceeded")

    @classmethod
    def internal(cls) -> ServiceError:
        return cls("InternalFailure", 500, "An internal error occurred.")

    @classmethod
    def malformed(cls, message: str) -> ServiceError:
        return cls("BadRequest", 400, message)

    def render(self) -> Response:
        titles = {400: "Bad Request", 429: "Too Many Requests", 500: "Internal Error"}
        return html_response(
            pages.message(titles.get(self.status, "Error"), self.message), self.status
        )
