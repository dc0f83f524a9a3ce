"""``devcreds login``: sign in to IAM Identity Center and cache the token where the AWS CLI does."""

from __future__ import annotations

from typing import Annotated

import typer

from devcreds.cli import render
from devcreds.cli.context import Context
from devcreds.cli.options import Profile, SsoSessionName
from devcreds.cli.signin import sign_in
from devcreds.errors import UsageError


def login(
    profile: Profile = None,
    sso_session: SsoSessionName = None,
    use_device_code: Annotated[
        bool,
        typer.Option(
            "--use-device-code",
            "--device-code",
            help="Sign in with a device code, as aws sso login --use-device-code does.",
        ),
    ] = False,
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
