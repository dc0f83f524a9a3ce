"""Login flows. Today the device-code flow; the browser (authorization code + PKCE) flow
plugs in beside it with the same inputs (session, registration) and output (a Token).

The clock, the sleep and everything the user sees are injected, so tests run
the real flow against the emulator without waiting or a terminal.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from typing import Protocol

from devcreds import cache
from devcreds.awsconfig import SsoSession
from devcreds.cache import Registration, Token
from devcreds.errors import LoginRequired, RegistrationRejected
from devcreds.paths import Paths
from devcreds.sso.oidc import DeviceAuthorization, Oidc, Poll, TokenGrant

Clock = Callable[[], dt.datetime]
Sleep = Callable[[float], None]


class DeviceLoginUI(Protocol):
    """What the user sees while a device login waits for approval."""

    def show_code(self, device: DeviceAuthorization, browser_opened: bool) -> None: ...

    def waiting(self, seconds_left: float) -> None: ...


def client_registration(
    paths: Paths, session: SsoSession, oidc: Oidc, now: dt.datetime, *, renew: bool = False
) -> Registration:
    """The cached client registration while it has 15 minutes left, else (or with ``renew``)
    a new one."""
    registration = None if renew else cache.load_registration(paths, session)
    if registration is not None and registration.usable(now):
        return registration
    name = f"devcreds-{session.name}" if session.name else f"devcreds-{int(now.timestamp())}"
    registration = oidc.register(name, session.scopes, now)
    cache.save_registration(paths, session, registration)
    return registration


def sign_in(
    paths: Paths,
    session: SsoSession,
    oidc: Oidc,
    ui: DeviceLoginUI,
    *,
    open_browser: Callable[[str], bool] | None,
    clock: Clock,
    sleep: Sleep,
    login_hint: str,
) -> Token:
    """A device login from the client registration to the cached token.

    The session lock guards the registration and token files only, never the
    wait for a person: an ``export`` meanwhile answers at once. A registration
    the service no longer knows (a recreated instance, a restarted emulator)
    is replaced by a new one, once.
    """
    with cache.session_lock(paths, session):
        registration = client_registration(paths, session, oidc, clock())
    login = functools.partial(
        device_login,
        session,
        oidc=oidc,
        ui=ui,
        open_browser=open_browser,
        clock=clock,
        sleep=sleep,
        login_hint=login_hint,
    )
    try:
        token = login(registration)
    except RegistrationRejected:
        with cache.session_lock(paths, session):
            registration = client_registration(paths, session, oidc, clock(), renew=True)
        token = login(registration)
    with cache.session_lock(paths, session):
        cache.save_token(paths, session, token)
    return token


def device_login(
    session: SsoSession,
    registration: Registration,
    oidc: Oidc,
    ui: DeviceLoginUI,
    *,
    open_browser: Callable[[str], bool] | None,
    clock: Clock,
    sleep: Sleep,
    login_hint: str,
) -> Token:
    """Run the device flow to the end: approved (a Token), or expired / denied (an error)."""
    device = oidc.start_device_authorization(registration, session.start_url)
    deadline = clock() + dt.timedelta(seconds=device.expires_in)
    interval = device.interval
    # Like the AWS CLI, poll once at once: a pre-approved code finishes without a prompt.
    result = oidc.poll_device(registration, device, login_hint)
    if isinstance(result, TokenGrant):
        return token_from_grant(session, registration, result, clock())
    opened = open_browser(device.verification_uri_complete) if open_browser else False
    ui.show_code(device, opened)
    while True:
        if result is Poll.SLOW_DOWN:
            interval += 5  # RFC 8628 §3.5
        _wait(interval, deadline, ui, clock, sleep, login_hint)
        result = oidc.poll_device(registration, device, login_hint)
        if isinstance(result, TokenGrant):
            return token_from_grant(session, registration, result, clock())


def _wait(
    seconds: float,
    deadline: dt.datetime,
    ui: DeviceLoginUI,
    clock: Clock,
    sleep: Sleep,
    login_hint: str,
) -> None:
    """Sleep ``seconds`` in steps of at most one, updating the countdown."""
    until = clock() + dt.timedelta(seconds=seconds)
    while (now := clock()) < until:
        left = (deadline - now).total_seconds()
        if left <= 0:
            # The service says so too, but never trust a client to stop on the server's word.
            raise LoginRequired("the sign-in code expired before it was approved", hint=login_hint)
        ui.waiting(left)
        sleep(min(1.0, (until - now).total_seconds()))


def token_from_grant(
    session: SsoSession, registration: Registration, grant: TokenGrant, now: dt.datetime
) -> Token:
    """The cache record for a fresh grant, with what a later refresh needs."""
    return Token(
        start_url=session.start_url,
        region=session.region,
        access_token=grant.access_token,
        expires_at=now + dt.timedelta(seconds=grant.expires_in),
        client_id=registration.client_id,
        client_secret=registration.client_secret,
        registration_expires_at=registration.expires_at,
        refresh_token=grant.refresh_token,
    )
