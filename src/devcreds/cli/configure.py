"""``devcreds configure sso``: write an [sso-session] and a [profile] into the AWS config file,
changing nothing else in it."""

from __future__ import annotations

import re
from typing import Annotated

import typer
from rich.prompt import Confirm, IntPrompt
from rich.table import Table

from devcreds import awsconfig, regions, ssoconfig
from devcreds.cli import render
from devcreds.cli.context import Context
from devcreds.cli.signin import listed_roles
from devcreds.errors import UsageError
from devcreds.sso import starturl

app = typer.Typer(
    rich_markup_mode=None,  # help text is plain: "[sso-session]" is not markup
    help="Write AWS config file sections.",
    no_args_is_help=True,
)

_ACCOUNT = re.compile(r"^\d{12}$")
_ROLE = re.compile(r"^[\w+=,.@-]{1,64}$")
_NAME = re.compile(r"^[A-Za-z0-9_.@+-]+$")


@app.command("sso")
def configure_sso(
    profile: Annotated[str, typer.Option("--profile", help="Profile to write.")],
    sso_session: Annotated[str, typer.Option("--sso-session", help="[sso-session] to write.")],
    start_url: Annotated[str, typer.Option("--start-url", help="The AWS access portal URL.")],
    sso_region: Annotated[str, typer.Option("--sso-region", help="Region of IAM Identity Center.")],
    account_id: Annotated[str | None, typer.Option("--account-id")] = None,
    role_name: Annotated[str | None, typer.Option("--role-name")] = None,
    region: Annotated[
        str | None, typer.Option("--region", help="Default region for the profile's API calls.")
    ] = None,
    scopes: Annotated[
        str,
        typer.Option(
            "--scopes", help="sso_registration_scopes; keep sso:account:access to renew silently."
        ),
    ] = "sso:account:access",
    force: Annotated[
        bool,
        typer.Option(
            "--force", help="Change an existing [sso-session] or a non-SSO profile without asking."
        ),
    ] = False,
) -> None:
    """Configure an SSO profile; without --account-id/--role-name, log in and pick a role."""
    _validate(profile, sso_session, start_url, sso_region, account_id, role_name, region)
    ctx = Context.from_process(profile)
    session_values = {"sso_start_url": start_url, "sso_region": sso_region}
    if scopes:
        session_values["sso_registration_scopes"] = scopes
    if account_id is None or role_name is None:
        if not ctx.interactive:
            raise UsageError(
                "--account-id and --role-name are needed when not on a terminal",
                hint=f"devcreds roles --sso-session {sso_session} --json (after devcreds login)",
            )
        # The session must exist to log in with it.
        _write(ssoconfig.plan(ctx.config, profile, sso_session, session_values, None), ctx, force)
        ctx = Context.from_process(profile)
        account_id, role_name = _pick_role(ctx, sso_session)
    profile_values = {
        "sso_session": sso_session,
        "sso_account_id": account_id,
        "sso_role_name": role_name,
    }
    if region:
        profile_values["region"] = region
    plan = ssoconfig.plan(ctx.config, profile, sso_session, session_values, profile_values)
    changed = _write(plan, ctx, force)
    render.stderr.print(
        f"{'Wrote' if changed else 'Already in'} {plan.path}: [{plan.profile_section}] and "
        f"[sso-session {sso_session}].\nNext: devcreds login --profile {profile}",
        markup=False,
    )


def _write(plan: ssoconfig.Plan, ctx: Context, force: bool) -> bool:
    """Write the plan; a change to what exists needs --force or a yes at the terminal."""
    if plan.conflicts and not force:
        for line in plan.conflicts:
            render.warning(line)
        if not ctx.interactive:
            raise UsageError(
                f"not changing {plan.path} without --force",
                hint="pass --force to change it, or choose another --sso-session / --profile name",
            )
        if not Confirm.ask("Change it?", console=render.stderr, default=False):
            raise UsageError(f"{plan.path} left as it was", hint="devcreds configure sso --help")
    return ssoconfig.write(plan)


def _validate(
    profile: str,
    sso_session: str,
    start_url: str,
    sso_region: str,
    account_id: str | None,
    role_name: str | None,
    region: str | None,
) -> None:
    checks = [
        (_NAME.match(profile), "--profile", "letters, digits and . _ @ + -"),
        (_NAME.match(sso_session), "--sso-session", "letters, digits and . _ @ + -"),
        (
            starturl.acceptable(start_url),
            "--start-url",
            "an https URL such as https://d-0123456789.awsapps.com/start",
        ),
        (regions.valid(sso_region), "--sso-region", lambda: regions.hint(sso_region)),
        (account_id is None or _ACCOUNT.match(account_id), "--account-id", "12 digits"),
        (
            role_name is None or _ROLE.match(role_name),
            "--role-name",
            "a role name such as ReadOnly",
        ),
        (region is None or regions.valid(region), "--region", lambda: regions.hint(region or "")),
    ]
    for ok, option, expected in checks:
        if not ok:
            wanted = expected() if callable(expected) else expected
            raise UsageError(
                f"invalid {option}: expected {wanted}", hint="devcreds configure sso --help"
            )


def _pick_role(ctx: Context, sso_session: str) -> tuple[str, str]:
    session = awsconfig.sso_session(ctx.config, sso_session)
    result = listed_roles(ctx, session, None)  # warns of accounts it could not list
    choices = result.roles
    if not choices:
        if result.failures:
            raise result.failures[0].error
        raise UsageError(
            f"{session.start_url} gives you no roles", hint="ask your AWS administrator"
        )
    table = Table("#", "account", "name", "role")
    for number, (account_id, name, role) in enumerate(choices, 1):
        table.add_row(str(number), account_id, name, role)
    render.stderr.print(table)
    picked = IntPrompt.ask(
        "Role", console=render.stderr, choices=[str(n) for n in range(1, len(choices) + 1)]
    )
    account_id, _, role = choices[picked - 1]
    return account_id, role
