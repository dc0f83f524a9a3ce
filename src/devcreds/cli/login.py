"""``devcreds login``: sign in to IAM Identity Center and cache the token where the AWS CLI does."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, TypeVar

import typer

from devcreds import cache
from devcreds.awsconfig import SsoSession
from devcreds.cache import Token
from devcreds.cli import render
from devcreds.cli.context import Context
from devcreds.cli.options import Profile, SsoSessionName
from devcreds.cli.ui import DeviceLoginScreen, open_browser
from devcreds.credentials import login_hint
from devcreds.errors import LoginRequired, UsageError
from devcreds.sso.login import client_registration, device_login
from devcreds.sso.oidc import Oidc

T = TypeVar("T")


def login(
    profile: Profile = None,
    sso_session: SsoSessionName = None,
    device_code: Annotated[
        bool, typer.Option("--device-code", help="Use the device-code flow (the default for now).")
    ] = True,
    no_browser: Annotated[
        bool, typer.Option("--no-browser", help="Print the URL and code; open no browser.")
    ] = False,
) -> None:
    """Log in to IAM Identity Center; the AWS CLI and SDKs share the session."""
    if profile and sso_session:
        raise UsageError("give --profile or --sso-session, not both", hint="devcreds login --help")
    ctx = Context.from_process(profile)
    session = ctx.session(sso_session)
    token = sign_in(ctx, session, None if sso_session else ctx.profile, browser=not no_browser)
    render.stderr.print(
        f"Logged in to {session.start_url}; the session lasts until "
        f"{token.expires_at:%Y-%m-%d %H:%M} UTC"
        + (" and renews itself." if token.refresh_token else " (no refresh token: see status).")
    )


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
