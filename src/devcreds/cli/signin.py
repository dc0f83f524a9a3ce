"""Signing in on behalf of any command: which flow, the login itself, and "log in if a
person is here".

Shared by the commands (``login``, ``export``, ``write``, ``exec``, ``roles``,
``configure``), so none of them imports another.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TypeVar

from devcreds import awsconfig, cache, listcache, listing
from devcreds.awsconfig import LoginPreferences, SsoSession
from devcreds.cache import RoleCredentials, Token
from devcreds.cli import render
from devcreds.cli.context import Context
from devcreds.cli.ui import (
    BrowserLoginScreen,
    DeviceLoginScreen,
    ListingScreen,
    browser_found,
    open_browser,
)
from devcreds.credentials import login_hint
from devcreds.errors import DevcredsError, LoginRequired, UsageError
from devcreds.platforms import HOST, Platform
from devcreds.sso import login, starturl
from devcreds.sso.oidc import Oidc
from devcreds.sso.portal import Portal

T = TypeVar("T")

# Seconds the browser flow waits for the redirect; for tests and slow sign-ins.
TIMEOUT_VARIABLE = "DEVCREDS_LOGIN_TIMEOUT"


@dataclass(frozen=True)
class LoginOptions:
    """What the command line asked of a login; implicit logins take the defaults."""

    use_device_code: bool = False
    browser: bool = False
    no_browser: bool = False
    callback_port: int | None = None


@dataclass(frozen=True)
class Choice:
    browser: bool
    reason: str  # the one line that says which flow and why


def choose_flow(
    session: SsoSession,
    profile: str | None,
    options: LoginOptions,
    preferences: LoginPreferences,
    environ: Mapping[str, str],
    platform: Platform = HOST,
    has_browser: Callable[[], bool] = browser_found,
) -> Choice:
    """The command line, then the config file's preference, then where the browser flow
    cannot work (SSH, no display, no browser), then the browser flow: the default."""
    if options.use_device_code and (options.browser or options.callback_port is not None):
        raise UsageError(
            "--use-device-code is a login without a browser redirect; "
            "--browser and --callback-port are for one with it",
            hint="give either --use-device-code or --browser/--callback-port",
        )
    if session.name is None:
        if options.browser or options.callback_port is not None:
            raise UsageError(
                f"profile {profile or session.start_url} has no sso_session, and the browser "
                "login needs one "
                "(as for the AWS CLI)",
                hint=f"devcreds configure sso --profile {profile} --sso-session NAME ...",
            )
        return _device(
            f"profile {profile or session.start_url} has no sso_session (as the AWS CLI does)"
        )
    if options.use_device_code:
        return _device("--use-device-code given")
    if options.browser:
        return _browser("--browser given")
    if options.callback_port is not None:
        return _browser("--callback-port given")
    if preferences.flow is not None:
        reason = f"{awsconfig.LOGIN_FLOW_KEY} in [{preferences.flow_section}]"
        return _browser(reason) if preferences.flow == "browser" else _device(reason)
    if environ.get("SSH_CONNECTION") or environ.get("SSH_TTY"):
        return _device(
            "this is an SSH session (for the browser over ssh -L: --browser --callback-port N)"
        )
    displayless = platform.name.startswith("linux") and not (
        environ.get("DISPLAY") or environ.get("WAYLAND_DISPLAY")
    )
    if displayless and not environ.get("BROWSER"):
        return _device("no display, DISPLAY and WAYLAND_DISPLAY are unset (--browser to insist)")
    if not options.no_browser and not has_browser():
        return _device("no web browser found (set BROWSER, or use --browser --no-browser)")
    return _browser("the default (--use-device-code for a code instead)")


def _device(reason: str) -> Choice:
    return Choice(False, f"Signing in with a device code: {reason}.")


def _browser(reason: str) -> Choice:
    return Choice(True, f"Signing in through the browser: {reason}.")


def sign_in(ctx: Context, session: SsoSession, profile: str | None, options: LoginOptions) -> Token:
    """Log in, one interactive login per SSO session at a time: a second one says so, waits
    for it and uses the session it brought."""
    before = cache.load_token(ctx.paths, session)
    waited: list[str] = []
    with _one_login(ctx, session, waited.append):
        if waited:
            token = cache.load_token(ctx.paths, session)
            changed = token is not None and (
                before is None or token.access_token != before.access_token
            )
            if token is not None and changed and token.fresh(ctx.clock()):
                render.stderr.print("The other login finished; this one uses its session.")
                return token
        return _login(ctx, session, profile, options)


def _login(ctx: Context, session: SsoSession, profile: str | None, options: LoginOptions) -> Token:
    token = _login_with_flow(ctx, session, profile, options)
    # Another person or another directory may be behind the new login: list its roles anew.
    listcache.forget(ctx.paths, session)
    return token


def _login_with_flow(
    ctx: Context, session: SsoSession, profile: str | None, options: LoginOptions
) -> Token:
    hint = login_hint(session, profile)
    resolved = starturl.resolve(session.start_url, session.region)
    if resolved.start_url != session.start_url:
        render.stderr.print(
            f"{session.start_url} leads to {resolved.start_url} ({resolved.region})", markup=False
        )
        if resolved.region != session.region:
            render.warning(
                f"sso_region of {session.label} is {session.region}, the portal's is "
                f"{resolved.region}: devcreds configure sso --sso-session {session.label} "
                f"--sso-region {resolved.region}"
            )
        session = session._replace(portal_url=resolved.start_url, region=resolved.region)
    preferences = awsconfig.login_preferences(ctx.config, session.name, profile)
    choice = choose_flow(session, profile, options, preferences, ctx.environ, ctx.platform)
    render.stderr.print(choice.reason, markup=False)
    oidc = Oidc(ctx.clients.client("sso-oidc", session.region))
    if choice.browser:
        browser_screen = BrowserLoginScreen()
        port = options.callback_port
        if port is None:
            port = preferences.callback_port or 0
        run = functools.partial(
            login.browser_login,
            session,
            oidc=oidc,
            ui=browser_screen,
            open_browser=None if options.no_browser else open_browser,
            port=port,
            timeout=_timeout(ctx.environ),
            clock=ctx.clock,
            login_hint=hint,
        )
        try:
            return login.sign_in(ctx.paths, session, oidc, run, browser=True, clock=ctx.clock)
        finally:
            browser_screen.close()
    screen = DeviceLoginScreen()
    run_device = functools.partial(
        login.device_login,
        session,
        oidc=oidc,
        ui=screen,
        # Only a person at a terminal gets a browser; scripts and CI never do.
        open_browser=open_browser if not options.no_browser and ctx.interactive else None,
        clock=ctx.clock,
        sleep=ctx.sleep,
        login_hint=hint,
    )
    try:
        return login.sign_in(ctx.paths, session, oidc, run_device, browser=False, clock=ctx.clock)
    finally:
        screen.close()


def _timeout(environ: Mapping[str, str]) -> float:
    text = environ.get(TIMEOUT_VARIABLE)
    if text is None:
        return login.BROWSER_TIMEOUT
    try:
        seconds = float(text)
    except ValueError:
        seconds = 0.0
    if not 0 < seconds < 86400:
        raise UsageError(
            f"{TIMEOUT_VARIABLE}={text} is not a number of seconds",
            hint=f"unset {TIMEOUT_VARIABLE} (the default is 600) or set it to e.g. 300",
        )
    return seconds


def _one_login(
    ctx: Context, session: SsoSession, waiting: Callable[[str], None] | None = None
) -> contextlib.AbstractContextManager[None]:
    """Held by a login while a person approves it. Only logins take it, never ``export``."""

    def tell(holder: str) -> None:
        render.stderr.print(
            f"Another login to {session.label} is in progress ({holder}); waiting for it…",
            markup=False,
        )
        if waiting is not None:
            waiting(holder)

    return cache.named_lock(
        ctx.paths, f"login-{session.token_key}", session.label, timeout=900, waiting=tell
    )


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
            _login(ctx, session, profile, LoginOptions())
    return work()


# Accounts named one by one in the warnings; the rest are counted.
_FAILURES_SHOWN = 5


def listed_roles(
    ctx: Context, session: SsoSession, profile: str | None, *, refresh: bool = False
) -> listing.Listing:
    """Every account and role of the session: the kept listing (``devcreds.listcache``)
    unless ``refresh``, else listed (``devcreds.listing``) and kept. Lists after a login
    first if one is needed and a person is at the terminal; progress on a terminal, a
    warning for each account that could not be listed."""
    if not refresh and (kept := listcache.load(ctx.paths, session, ctx.clock())) is not None:
        return kept
    hint = login_hint(session, profile)

    def work() -> listing.Listing:
        token = ctx.resolver.access_token(session, hint).access_token
        # One attempt per call: the listing paces and retries throttled calls itself.
        portal = Portal(ctx.clients.client("sso", session.region, attempts=1), hint)
        with ListingScreen() as screen:
            return listing.list_roles(portal, token, progress=screen.update)

    result = logging_in_if_needed(ctx, session, profile, work)
    listcache.save(ctx.paths, session, result, ctx.clock())
    for failure in result.failures[:_FAILURES_SHOWN]:
        render.warning(
            f"roles of account {failure.account_id} ({failure.account_name}) not listed: "
            f"{failure.error.message}"
        )
    if len(result.failures) > _FAILURES_SHOWN:
        render.warning(f"and {len(result.failures) - _FAILURES_SHOWN} more accounts not listed")
    return result


def incomplete(result: listing.Listing, done: str) -> DevcredsError:
    """The error that ends a command whose listing missed accounts (exit 4, as a refusal):
    ``done`` says what was done with the rest."""
    first = result.failures[0].error
    return type(first)(
        f"the roles of {len(result.failures)} of {result.accounts} accounts could not be "
        f"listed ({done})",
        hint=first.hint,
    )


def credentials_for(ctx: Context) -> RoleCredentials:
    """The profile's credentials; a person at a terminal may be asked to log in first."""
    root = awsconfig.credential_chain(ctx.config, ctx.profile).root
    return logging_in_if_needed(ctx, root.session, ctx.profile, ctx.profile_credentials)
