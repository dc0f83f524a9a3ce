"""``devcreds logout``: end the portal session and delete cached tokens and role credentials,
as ``aws sso logout`` does."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

import typer

from devcreds import awsconfig, cache, listcache
from devcreds.awsconfig import SsoSession
from devcreds.cli import render
from devcreds.cli.context import Context
from devcreds.cli.options import Profile, SsoSessionName
from devcreds.errors import DevcredsError, UsageError
from devcreds.sinks import deliver
from devcreds.sso.portal import Portal


def logout(
    profile: Profile = None,
    sso_session: SsoSessionName = None,
    everything: Annotated[
        bool, typer.Option("--all", help="Log out of every session, like aws sso logout.")
    ] = False,
    clean: Annotated[
        bool, typer.Option("--clean", help="Also remove the credentials from every file written.")
    ] = False,
) -> None:
    """Log out: the token stops working and cached credentials are deleted.

    Examples:

    \b
      devcreds logout -p dev
      devcreds logout --all --clean              # and take the credentials out of every file
    """
    if sum(map(bool, (profile, sso_session, everything))) > 1:
        raise UsageError(
            "give one of --profile, --sso-session and --all", hint="devcreds logout --help"
        )
    ctx = Context.from_process(profile)
    if everything:
        _logout_everything(ctx)
    else:
        session = ctx.session(sso_session)
        _end_portal_session(ctx, session)
        listcache.forget(ctx.paths, session)
        removed = _remove_role_caches(ctx, lambda root: root == session)
        render.stderr.print(
            f"Logged out of {session.label}; deleted its token and {removed} cached "
            "credential set(s).",
            markup=False,
        )
    if clean:  # after the logout, so a file that cannot be cleaned leaves no one logged in
        report = deliver.clean(ctx.paths)
        render.report(report, "cleaned", "nothing to clean")
        render.raise_failures(report, "cleaned", "fix them, then run devcreds clean --all")


def _remove_role_caches(ctx: Context, logged_out: Callable[[SsoSession], bool]) -> int:
    """The SSO role credentials of the sessions logged out, and the roles assumed from them."""
    removed = 0
    for name in ctx.config.profiles:
        try:
            chain = awsconfig.credential_chain(ctx.config, name)
        except UsageError:
            continue  # not a profile devcreds serves
        if logged_out(chain.root.session):
            removed += cache.forget(ctx.paths, cache.role_credentials_path(ctx.paths, chain.root))
            for hop in chain.hops:
                removed += cache.forget(ctx.paths, cache.assumed_role_path(ctx.paths, hop))
    return removed


def _end_portal_session(ctx: Context, session: SsoSession) -> None:
    token = cache.load_token(ctx.paths, session)
    if token is not None:
        _portal_logout(ctx, token.region or session.region, token.access_token, session.label)
    cache.forget(ctx.paths, cache.token_path(ctx.paths, session))


def _portal_logout(ctx: Context, region: str, access_token: str, label: str) -> None:
    portal = Portal(ctx.clients.client("sso", region), login_hint="devcreds login")
    try:
        portal.logout(access_token)
    except DevcredsError as exc:
        # The local logout still happens; the server session ends with its own expiry.
        render.stderr.print(
            f"warning: could not end the session of {label} on the server: {exc.message}",
            markup=False,
        )


def _logout_everything(ctx: Context) -> None:
    """Every token file in the SSO cache, every SSO role-credential file in the CLI cache."""
    tokens = creds = registrations = 0
    for path in sorted(ctx.paths.sso_cache.glob("*.json")):
        data = cache.read_json(path)
        token = cache.Token.from_json(data) if data else None
        if token is None or not token.start_url:
            if data and "clientSecret" in data and "accessToken" not in data:
                registrations += cache.remove(path)  # a fresh start, as after a recreated instance
            continue  # something that is not ours to judge
        if token.region:
            _portal_logout(ctx, token.region, token.access_token, token.start_url)
        tokens += cache.forget(ctx.paths, path)
    for path in sorted(ctx.paths.cli_cache.glob("*.json")):
        data = cache.read_json(path)
        if data is not None and data.get("ProviderType") == "sso":
            creds += cache.forget(ctx.paths, path)
    creds += _remove_role_caches(ctx, lambda root: True)
    for path in sorted(listcache.folder(ctx.paths).glob("*.json")):
        cache.remove(path)
    render.stderr.print(
        f"Logged out: deleted {tokens} token(s), {registrations} client registration(s) and "
        f"{creds} cached credential set(s).",
        markup=False,
    )
