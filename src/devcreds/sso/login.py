"""Login flows: the browser (authorization code + PKCE) and the device code, with the same
inputs (session, registration) and output (a Token).

The clock, the sleep and everything the user sees are injected, so tests run
the real flows against the emulator without waiting or a terminal.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Protocol

from devcreds import cache
from devcreds.awsconfig import SsoSession
from devcreds.cache import Registration, Token
from devcreds.errors import AwsRefused, LoginRequired, RegistrationRejected
from devcreds.paths import Paths
from devcreds.sso import callback, pkce
from devcreds.sso.oidc import DeviceAuthorization, Oidc, Poll, TokenGrant

Clock = Callable[[], dt.datetime]
Sleep = Callable[[float], None]

# How long the browser flow waits for the redirect: the AWS CLI's
# (awscli/customizations/sso/utils.py, AuthCodeFetcher._OVERALL_TIMEOUT).
BROWSER_TIMEOUT = 600.0


class DeviceLoginUI(Protocol):
    """What the user sees while a device login waits for approval."""

    def show_code(self, device: DeviceAuthorization, browser_opened: bool) -> None: ...

    def waiting(self, seconds_left: float) -> None: ...


class BrowserLoginUI(Protocol):
    """What the user sees while a browser login waits for the redirect."""

    def listening(self, redirect_uri: str) -> None: ...

    def show_url(self, url: str, browser_opened: bool) -> None: ...

    def waiting(self, seconds_left: float) -> None: ...


def client_registration(
    paths: Paths,
    session: SsoSession,
    oidc: Oidc,
    now: dt.datetime,
    *,
    renew: bool = False,
    browser: bool = False,
) -> Registration:
    """The cached client registration while it has 15 minutes left and suits the flow, else
    (or with ``renew``) a new one, in the AWS CLI's file: both tools share it."""
    registration = None if renew else cache.load_registration(paths, session)
    if registration is not None and registration.usable(now, browser=browser):
        return registration
    name = f"devcreds-{session.name}" if session.name else f"devcreds-{int(now.timestamp())}"
    if browser:
        registration = oidc.register_for_browser(name, session.scopes, session.issuer_url, now)
    else:
        registration = oidc.register(name, session.scopes, now)
    cache.save_registration(paths, session, registration)
    return registration


def sign_in(
    paths: Paths,
    session: SsoSession,
    oidc: Oidc,
    login: Callable[[Registration], Token],
    *,
    browser: bool,
    clock: Clock,
) -> Token:
    """A login (``device_login`` or ``browser_login``, with all but the registration bound)
    from the client registration to the cached token.

    The session lock guards the registration and token files only, never the
    wait for a person: an ``export`` meanwhile answers at once. A registration
    the service no longer knows (a recreated instance, a restarted emulator)
    is replaced by a new one, once.
    """
    with cache.session_lock(paths, session):
        registration = client_registration(paths, session, oidc, clock(), browser=browser)
    try:
        token = login(registration)
    except RegistrationRejected:
        with cache.session_lock(paths, session):
            registration = client_registration(
                paths, session, oidc, clock(), renew=True, browser=browser
            )
        token = login(registration)
    with cache.session_lock(paths, session):
        cache.save_token(paths, session, token)
    return token


def browser_login(
    session: SsoSession,
    registration: Registration,
    oidc: Oidc,
    ui: BrowserLoginUI,
    *,
    open_browser: Callable[[str], bool] | None,
    port: int,
    timeout: float,
    clock: Clock,
    login_hint: str,
) -> Token:
    """The browser flow to the end: listen, open (or show) the authorize URL, take the
    redirect, redeem the code. Denied, failed or timed out: an error."""
    secrets = pkce.Pkce.new()
    with callback.listening(secrets.state_matches, port, login_hint) as listener:
        redirect = pkce.redirect_uri(listener.port)
        url = secrets.authorize_url(
            oidc.endpoint_url, registration.client_id, redirect, session.scopes
        )
        ui.listening(redirect)
        # The listener is up before the browser opens, so no redirect can miss it.
        opened = open_browser(url) if open_browser else False
        ui.show_url(url, opened)
        result = _redirect(listener, ui, timeout, clock, login_hint)
    if result.error == "access_denied":
        raise AwsRefused("the sign-in request was denied", hint=login_hint)
    if result.error is not None or result.code is None:
        detail = f"{result.error}: {result.error_description}" if result.error_description else ""
        raise AwsRefused(
            f"the sign-in failed in the browser ({detail or result.error})", hint=login_hint
        )
    grant = oidc.redeem_code(registration, result.code, redirect, secrets.verifier, login_hint)
    return token_from_grant(session, registration, grant, clock())


def _redirect(
    listener: callback.Listener,
    ui: BrowserLoginUI,
    timeout: float,
    clock: Clock,
    login_hint: str,
) -> callback.Redirect:
    """Wait for the browser's redirect, updating the countdown, until ``timeout`` is up."""
    deadline = clock() + dt.timedelta(seconds=timeout)
    while (left := (deadline - clock()).total_seconds()) > 0:
        ui.waiting(left)
        result = listener.wait(min(1.0, left))
        if result is not None:
            return result
    raise LoginRequired(
        f"no sign-in reached devcreds within {_duration(timeout)}",
        hint=f"{login_hint} (or {login_hint} --use-device-code to sign in with a code, "
        "on any device)",
    )


def _duration(seconds: float) -> str:
    if seconds >= 60 and seconds % 60 == 0:
        minutes = int(seconds // 60)
        return f"{minutes} minute{'s' if minutes != 1 else ''}"
    return f"{seconds:g} s"


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
    device = oidc.start_device_authorization(registration, session.issuer_url)
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
