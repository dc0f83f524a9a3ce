"""``devcreds roles``: every account and role the signed-in user can reach."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from rich.table import Table

from devcreds.cli import render
from devcreds.cli.context import Context
from devcreds.cli.options import Json, Profile, SsoSessionName
from devcreds.cli.signin import logging_in_if_needed
from devcreds.credentials import login_hint
from devcreds.sso.portal import Portal


def roles(
    profile: Profile = None, sso_session: SsoSessionName = None, as_json: Json = False
) -> None:
    """List the accounts and roles you can use (all pages)."""
    ctx = Context.from_process(profile)
    session = ctx.session(sso_session)
    name = None if sso_session else ctx.profile
    hint = login_hint(session, name)

    def listing() -> list[dict[str, str]]:
        token = ctx.resolver.access_token(session, hint).access_token
        portal = Portal(ctx.clients.client("sso", session.region), hint)
        accounts = portal.accounts(token)
        with ThreadPoolExecutor(max_workers=4) as pool:  # botocore clients are thread-safe
            role_lists = list(pool.map(lambda a: portal.roles(token, a.account_id), accounts))
        return [
            {"accountId": a.account_id, "accountName": a.name, "roleName": role}
            for a, names in zip(accounts, role_lists, strict=True)
            for role in names
        ]

    rows = logging_in_if_needed(ctx, session, name, listing)
    if as_json:
        render.json_out(rows)
        return
    table = Table("account", "name", "role")
    for row in rows:
        table.add_row(row["accountId"], row["accountName"], row["roleName"])
    render.stdout.print(table)
