"""Routing, call counts and fault injection in front of the services.

SSO OIDC, the SSO portal, STS and the console federation endpoint share one port: their
paths do not clash (STS is ``POST /``, federation ``/federation``, the portal's role
credentials ``/federation/credentials``), so ``AWS_ENDPOINT_URL`` can point every client here.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from devcreds.emulator import federation, oidc, pages, portal, sts
from devcreds.emulator.config import EmulatorConfig
from devcreds.emulator.state import Clock, State
from devcreds.emulator.wire import (
    FederationError,
    OidcError,
    PortalError,
    Request,
    Response,
    ServiceError,
    StsError,
    html_response,
    json_response,
)

Handler = Callable[[State, Request], Response]


@dataclass(frozen=True)
class Route:
    # The AWS operation name, counted in /_emulator/stats; or how to read it from the
    # request, for services that name the operation in an Action parameter.
    operation: str | Callable[[Request], str]
    errors: type[ServiceError]  # how this service renders throttling and faults
    handler: Handler


_ROUTES: dict[tuple[str, str], Route] = {
    ("POST", "/client/register"): Route("RegisterClient", OidcError, oidc.register_client),
    ("POST", "/device_authorization"): Route(
        "StartDeviceAuthorization", OidcError, oidc.start_device_authorization
    ),
    ("POST", "/token"): Route("CreateToken", OidcError, oidc.create_token),
    ("GET", "/federation/credentials"): Route(
        "GetRoleCredentials", PortalError, portal.get_role_credentials
    ),
    ("GET", "/assignment/accounts"): Route("ListAccounts", PortalError, portal.list_accounts),
    ("GET", "/assignment/roles"): Route("ListAccountRoles", PortalError, portal.list_account_roles),
    ("POST", "/logout"): Route("Logout", PortalError, portal.logout),
    ("POST", "/"): Route(sts.operation, StsError, sts.handle),
    ("GET", "/federation"): Route(federation.operation, FederationError, federation.handle),
    ("POST", "/federation"): Route(federation.operation, FederationError, federation.handle),
}

# Browser pages: no call counts, no faults.
_PAGES: dict[tuple[str, str], Handler] = {
    ("GET", "/authorize"): oidc.authorize,
    ("POST", "/authorize"): oidc.decide_authorize,
    ("GET", "/device"): oidc.device_page,
    ("POST", "/device"): oidc.decide_device_page,
}


class TokenBucket:
    """``rate`` requests per second on average, bursts of up to ``max(1, rate)``."""

    def __init__(self, rate: float, clock: Clock) -> None:
        self._rate = rate
        self._capacity = max(1.0, rate)
        self._tokens = self._capacity
        self._clock = clock
        self._last = clock()

    def take(self) -> bool:
        now = self._clock()
        self._tokens = min(self._capacity, self._tokens + (now - self._last) * self._rate)
        self._last = now
        if self._tokens < 1:
            return False
        self._tokens -= 1
        return True


class Emulator:
    """Answers one request at a time; ``None`` means: drop the connection."""

    def __init__(
        self,
        config: EmulatorConfig,
        *,
        clock: Clock = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.config = config
        self.state = State(config, clock)
        self._sleep = sleep
        self._random = random.Random(config.seed)  # noqa: S311 - fault dice, not secrets
        self._bucket = TokenBucket(config.throttle_rps, clock) if config.throttle_rps else None
        self._fault_lock = threading.Lock()

    def respond(self, request: Request) -> Response | None:
        key = (request.method, request.path)
        route = _ROUTES.get(key)
        if route is not None:
            return self._call(route, request)
        page = _PAGES.get(key)
        if page is not None:
            with self.state.lock:
                return page(self.state, request)
        if request.path.startswith("/_emulator/"):
            return self._control(request)
        if self._is_vanity(request.path):
            return self._vanity(request)
        if key == ("GET", "/"):
            return html_response(pages.index())
        return _unknown(request)

    def malformed(self, method: str, path: str, message: str) -> Response:
        """The answer to a request the transport could not read (framing, length, URL), in
        the error shape of the service at ``path``: the same 400 a handler would give."""
        route = _ROUTES.get((method, path))
        if route is not None:
            return route.errors.malformed(message).render()
        response = json_response({"message": message}, 400)
        response.headers["x-amzn-ErrorType"] = "InvalidRequestException"
        return response

    def _call(self, route: Route, request: Request) -> Response | None:
        operation = (
            route.operation if isinstance(route.operation, str) else route.operation(request)
        )
        with self.state.lock:
            self.state.calls[operation] += 1
        if self.config.latency_ms:
            self._sleep(self.config.latency_ms / 1000)
        with self._fault_lock:
            if self._bucket is not None and not self._bucket.take():
                return route.errors.throttled().render()
            if self.config.fault_rate and self._random.random() < self.config.fault_rate:
                if self._random.random() < self.config.fault_drop_share:
                    return None
                return route.errors.internal().render()
        try:
            with self.state.lock:
                return route.handler(self.state, request)
        except ServiceError as exc:
            return exc.render()

    def _is_vanity(self, path: str) -> bool:
        vanity = self.config.vanity_path
        if vanity is None:
            return False
        vanity = vanity.rstrip("/")
        return path == vanity or path.startswith(vanity + "/")

    def _vanity(self, request: Request) -> Response:
        """A vanity start URL as a company's own host serves one: a redirect to the AWS-owned
        start URL. The AWS CLI sends HEAD (GET when HEAD gets 405 or 501) and follows one
        redirect; query and fragment of the target are dropped on its side."""
        if request.method not in ("GET", "HEAD"):
            response = json_response({"message": "A start URL answers GET and HEAD."}, 405)
            response.headers["Allow"] = "GET, HEAD"
            return response
        with self.state.lock:
            self.state.vanity_redirects += 1
        location = self.config.vanity_target
        return Response(
            self.config.vanity_status, b"", {"Location": location, "Cache-Control": "no-store"}
        )

    def _control(self, request: Request) -> Response:
        """Test and script hooks under ``/_emulator/``."""
        if request.method == "GET" and request.path == "/_emulator/stats":
            with self.state.lock:
                return json_response(
                    {"calls": dict(self.state.calls), "grants": dict(self.state.grants)}
                )
        if request.method == "GET" and request.path == "/_emulator/start-urls":
            with self.state.lock:
                return json_response(
                    {
                        "startUrls": dict(self.state.start_urls),
                        "vanityRedirects": self.state.vanity_redirects,
                    }
                )
        decisions = {"/_emulator/approve": True, "/_emulator/deny": False}
        if request.method == "POST" and request.path in decisions:
            payload = oidc.parse_json(request.body)
            user_code = payload.get("userCode") if isinstance(payload, dict) else None
            if not isinstance(user_code, str):
                return json_response({"message": 'Send {"userCode": "XXXX-XXXX"}.'}, 400)
            try:
                with self.state.lock:
                    status = oidc.decide_device(self.state, user_code, decisions[request.path])
            except oidc.DecisionError as exc:
                return json_response({"message": str(exc)}, exc.status)
            return json_response({"userCode": user_code.strip().upper(), "status": status})
        return _unknown(request)


def _unknown(request: Request) -> Response:
    response = json_response({"message": f"No operation at {request.method} {request.path}"}, 404)
    response.headers["x-amzn-ErrorType"] = "UnknownOperationException"
    return response
