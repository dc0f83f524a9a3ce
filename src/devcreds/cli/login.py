"""``devcreds login``: sign in to IAM Identity Center and cache the token where the AWS CLI does."""

from __future__ import annotations

from typing import Annotated

import typer

from devcreds import awsconfig
from devcreds.cli import picker, render
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
            metavar="PORT",
            min=1,
            max=65535,
            help="Listen for the browser's redirect on this port of 127.0.0.1 (for ssh -L); "
            "implies --browser.",
        ),
    ] = None,
) -> None:
    """Log in to IAM Identity Center; the AWS CLI and SDKs share the session.

    Examples:

    \b
      devcreds login -p dev                      # in the browser (the default)
      devcreds login --sso-session corp --use-device-code
      devcreds login -p dev --browser --callback-port 8400   # through ssh -L 8400:127.0.0.1:8400
    """
    if profile and sso_session:
        raise UsageError("give --profile or --sso-session, not both", hint="devcreds login --help")
    ctx = Context.from_process(profile)
    if profile is None and sso_session is None and _may_pick(ctx):
        profile, sso_session = _picked(ctx)
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


def _may_pick(ctx: Context) -> bool:
    """No --profile, no AWS_PROFILE and no [default], at a terminal: a person can pick what
    to log in to, where a script gets the usual error (the profile default is missing)."""
    return (
        ctx.interactive
        and not ctx.environ.get("AWS_PROFILE")
        and "default" not in ctx.config.profiles
    )


def _picked(ctx: Context) -> tuple[str | None, str | None]:
    """The profile (or, for an [sso-session] no profile uses, the session) a person picks;
    (None, None) when the config file has none of them."""
    profiles = awsconfig.sso_profiles(ctx.config)
    used = {profile.session.name for profile in profiles}
    sessions = [name for name in ctx.config.sso_sessions if name not in used and _usable(ctx, name)]
    rows = [
        (
            f"profile {profile.name}",
            profile.account_id,
            profile.role_name,
            f"sso-session {profile.session.name}"
            if profile.session.name
            else profile.session.start_url,
        )
        for profile in profiles
    ] + [(f"sso-session {name}", "", "", "") for name in sessions]
    if not rows:
        return None, None
    index = picker.pick(
        "profile",
        rows,
        hint="devcreds login --profile PROFILE (or set AWS_PROFILE)",
        environ=ctx.environ,
    )
    if index < len(profiles):
        return profiles[index].name, None
    return None, sessions[index - len(profiles)]


def _usable(ctx: Context, sso_session: str) -> bool:
    """A broken [sso-session] is left out, as status leaves it out; a login with it
    explains what is wrong."""
    try:
        awsconfig.sso_session(ctx.config, sso_session)
    except UsageError:
        return False
    return True
