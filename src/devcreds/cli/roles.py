"""``devcreds roles``: every account and role the signed-in user can reach."""

from __future__ import annotations

from devcreds.cli import render
from devcreds.cli.context import Context
from devcreds.cli.options import Json, OutputFormat, Profile, RefreshListing, SsoSessionName
from devcreds.cli.signin import incomplete, listed_roles


def roles(
    profile: Profile = None,
    sso_session: SsoSessionName = None,
    output: OutputFormat = None,
    as_json: Json = False,
    refresh: RefreshListing = False,
) -> None:
    """List the accounts and roles you can use (all pages, throttling waited out).

    The listing is kept for 8 hours (until the next login or logout); --refresh lists anew.

    An account whose roles cannot be listed (still throttled after two minutes, or refused)
    gets a warning; everything else is still shown, and the exit code is then 4 so that a
    script can tell an incomplete list from a complete one.

    Example: devcreds roles --output text | grep prod
    """
    how = render.output(output, as_json)
    ctx = Context.from_process(profile)
    session = ctx.session(sso_session)
    name = None if sso_session else ctx.profile
    result = listed_roles(ctx, session, name, refresh=refresh)
    if result.listed_at is not None and render.stderr.is_terminal:
        minutes = int((ctx.clock() - result.listed_at).total_seconds() // 60)
        render.stderr.print(
            f"Listed {minutes} min ago (devcreds roles --refresh lists again).", markup=False
        )
    if how is render.Output.json:
        render.json_out(
            [
                {"accountId": r.account_id, "accountName": r.account_name, "roleName": r.role_name}
                for r in result.roles
            ]
        )
    else:
        render.rows(None, ("account", "name", "role"), [list(r) for r in result.roles], how)
    if result.failures:
        raise incomplete(result, "the others are shown")
