"""``devcreds login``: sign in to IAM Identity Center and cache the token where the AWS CLI does."""

from __future__ import annotations

from typing import Annotated

import typer

from devcreds.cli import render
from devcreds.cli.context import Context
from devcreds.cli.options import Profile, SsoSessionName
from devcreds.cli.signin import LoginOptions, sign_in
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
    browser: Annotated[
        bool,
        typer.Option(
            "--browser",
            help="Sign in through the browser even where devcreds would pick a device code "
            "(SSH, no display).",
        ),
    ] = False,
    no_browser: Annotated[
        bool,
        typer.Option(
            "--no-browser",
            help="Open no browser: print the link to open (and the code, for a device code).",
        ),
    ] = False,
    callback_port: Annotated[
        int | None,
        typer.Option(
            "--callback-port",
            min=1,
            max=65535,
            help="Listen for the browser's redirect on this port of 127.0.0.1 (for ssh -L); "
            "implies --browser.",
        ),
    ] = None,
) -> None:
    """Log in to IAM Identity Center; the AWS CLI and SDKs share the session."""
    if profile and sso_session:
        raise UsageError("give --profile or --sso-session, not both", hint="devcreds login --help")
    ctx = Context.from_process(profile)
    session = ctx.session(sso_session)
    options = LoginOptions(
        use_device_code=use_device_code,
        browser=browser,
        no_browser=no_browser,
        callback_port=callback_port,
    )
    token = sign_in(ctx, session, None if sso_session else ctx.profile, options)
    render.stderr.print(
        f"Logged in to {session.start_url}; the session lasts until "
        f"{token.expires_at:%Y-%m-%d %H:%M} UTC"
        + (" and renews itself." if token.refresh_token else " (no refresh token: see status).")
    )
