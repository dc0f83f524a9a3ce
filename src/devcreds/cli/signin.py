"""Signing in on behalf of any command: the device login, and "log in if a person is here".

Shared by the commands (``login``, ``export``, ``write``, ``exec``, ``roles``,
``configure``), so none of them imports another.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from devcreds import awsconfig, cache
from devcreds.awsconfig import SsoSession
from devcreds.cache import RoleCredentials, Token
from devcreds.cli.context import Context
from devcreds.cli.ui import DeviceLoginScreen, open_browser
from devcreds.credentials import login_hint
from devcreds.errors import LoginRequired
from devcreds.sso.login import client_registration, device_login
from devcreds.sso.oidc import Oidc

T = TypeVar("T")


def sign_in(ctx: Context, session: SsoSession, profile: str | None, *, browser: bool) -> Token:
    """Run the device login under the session lock and cache the token."""
    hint = login_hint(session, profile)
    screen = DeviceLoginScreen()
    with cache.session_lock(ctx.paths, session, timeout=900):
        oidc = Oidc(ctx.clients.client("sso-oidc", session.region))
        registration = client_registration(ctx.paths, session, oidc, ctx.clock())
        try:
            token = device_login(
                session,
                registration,
                oidc,
                screen,
                # Only a person at a terminal gets a browser; scripts and CI never do.
                open_browser=open_browser if browser and ctx.interactive else None,
                clock=ctx.clock,
                sleep=ctx.sleep,
                login_hint=hint,
            )
        finally:
            screen.close()
        cache.save_token(ctx.paths, session, token)
    return token


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
    sign_in(ctx, session, profile, browser=True)
    return work()


def credentials_for(ctx: Context) -> RoleCredentials:
    """The profile's credentials; a person at a terminal may be asked to log in first."""
    root = awsconfig.credential_chain(ctx.config, ctx.profile).root
    return logging_in_if_needed(ctx, root.session, ctx.profile, ctx.profile_credentials)
