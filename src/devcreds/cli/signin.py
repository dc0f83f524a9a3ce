"""Signing in on behalf of any command: the device login, and "log in if a person is here".

Shared by the commands (``login``, ``export``, ``write``, ``exec``, ``roles``,
``configure``), so none of them imports another.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import TypeVar

from devcreds import awsconfig, cache
from devcreds.awsconfig import SsoSession
from devcreds.cache import RoleCredentials, Token
from devcreds.cli.context import Context
from devcreds.cli.ui import DeviceLoginScreen, open_browser
from devcreds.credentials import login_hint
from devcreds.errors import LoginRequired
from devcreds.sso import login
from devcreds.sso.oidc import Oidc

T = TypeVar("T")


def sign_in(ctx: Context, session: SsoSession, profile: str | None, *, browser: bool) -> Token:
    """Log in, one interactive login per SSO session at a time: a second one waits for it."""
    with _one_login(ctx, session):
        return _device_login(ctx, session, profile, browser=browser)


def _device_login(
    ctx: Context, session: SsoSession, profile: str | None, *, browser: bool
) -> Token:
    screen = DeviceLoginScreen()
    try:
        return login.sign_in(
            ctx.paths,
            session,
            Oidc(ctx.clients.client("sso-oidc", session.region)),
            screen,
            # Only a person at a terminal gets a browser; scripts and CI never do.
            open_browser=open_browser if browser and ctx.interactive else None,
            clock=ctx.clock,
            sleep=ctx.sleep,
            login_hint=login_hint(session, profile),
        )
    finally:
        screen.close()


def _one_login(ctx: Context, session: SsoSession) -> contextlib.AbstractContextManager[None]:
    """Held by a login while a person approves it. Only logins take it, never ``export``."""
    return cache.named_lock(ctx.paths, f"login-{session.token_key}", session.label, timeout=900)


def logging_in_if_needed(
    ctx: Context, session: SsoSession, profile: str | None, work: Callable[[], T]
) -> T:
    """``work()``; if it needs a login and a person is at the terminal, log in and retry."""
    try:
        return work()
    except LoginRequired:
        # Never from credential_process or a pipe: those get exit 3 and the hint.
        if not ctx.interactive:
            raise
    with _one_login(ctx, session):
        try:
            return work()  # another process's login, finished while we waited, may serve
        except LoginRequired:
            _device_login(ctx, session, profile, browser=True)
    return work()


def credentials_for(ctx: Context) -> RoleCredentials:
    """The profile's credentials; a person at a terminal may be asked to log in first."""
    root = awsconfig.credential_chain(ctx.config, ctx.profile).root
    return logging_in_if_needed(ctx, root.session, ctx.profile, ctx.profile_credentials)
