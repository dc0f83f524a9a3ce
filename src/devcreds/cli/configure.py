"""``devcreds configure sso``: write an [sso-session] and a [profile] into the AWS config file,
changing nothing else in it."""

from __future__ import annotations

import re
from typing import Annotated

import typer
from rich.prompt import Confirm, Prompt

from devcreds import awsconfig, regions, ssoconfig
from devcreds.awsconfig import SsoSession
from devcreds.cli import picker, render
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
    sso_session: Annotated[
        str,
        typer.Option(
            "--sso-session",
            metavar="NAME",
            help="The sso-session (section) to write; profiles share it.",
        ),
    ],
    start_url: Annotated[
        str, typer.Option("--start-url", metavar="URL", help="The AWS access portal URL.")
    ],
    sso_region: Annotated[
        str, typer.Option("--sso-region", metavar="REGION", help="Region of IAM Identity Center.")
    ],
    profile: Annotated[
        str | None,
        typer.Option(
            "--profile",
            "-p",
            metavar="PROFILE",
            help="Profile to write (on a terminal it is asked, ROLE-ACCOUNT offered).",
        ),
    ] = None,
    account_id: Annotated[
        str | None,
        typer.Option("--account-id", metavar="ACCOUNT_ID", help="The account (12 digits)."),
    ] = None,
    role_name: Annotated[
        str | None,
        typer.Option("--role-name", metavar="ROLE", help="The role (permission set) in it."),
    ] = None,
    region: Annotated[
        str | None,
        typer.Option(
            "--region", metavar="REGION", help="Default region for the profile's API calls."
        ),
    ] = None,
    scopes: Annotated[
        str,
        typer.Option(
            "--scopes",
            metavar="SCOPES",
            help="sso_registration_scopes; keep sso:account:access to renew silently.",
        ),
    ] = "sso:account:access",
    force: Annotated[
        bool,
        typer.Option(
            "--force", help="Change an existing sso-session or a non-SSO profile without asking."
        ),
    ] = False,
) -> None:
    """Configure an SSO profile; on a terminal, whatever is not given is asked: the role
    (picked from those you have, after a login), the region and the profile name.

    Examples:

    \b
      devcreds configure sso --sso-session corp --sso-region us-east-1 \\
          --start-url https://d-0123456789.awsapps.com/start    # then pick a role
      devcreds configure sso -p dev --sso-session corp --sso-region us-east-1 \\
          --start-url URL --account-id 111111111111 --role-name Developer
    """
    _validate(profile, sso_session, start_url, sso_region, account_id, role_name, region)
    ctx = Context.from_process(profile)
    session_values = {"sso_start_url": start_url, "sso_region": sso_region}
    if scopes:
        session_values["sso_registration_scopes"] = scopes
    picking = account_id is None or role_name is None
    if (picking or profile is None) and not ctx.interactive:
        raise _needed_off_a_terminal(profile, account_id, role_name, sso_session)
    confirmed: list[str] = []
    if account_id is None or role_name is None:
        # The [sso-session] change is agreed to before the login, which uses the new values;
        # no profile is planned yet, so its name spells nothing here.
        early = ssoconfig.plan(ctx.config, profile or "", sso_session, session_values, None)
        confirmed = _confirm(early, ctx, force)
        account_id, role_name = _pick_role(ctx, _planned_session(ctx, sso_session, session_values))
    if picking or profile is None:
        # What aws configure sso asks after the role, in its order and with its suggestion.
        region = region or _ask_region(ctx, profile, sso_region)
        profile = profile or _ask_profile(f"{role_name}-{account_id}")
    profile_values = {
        "sso_session": sso_session,
        "sso_account_id": account_id,
        "sso_role_name": role_name,
    }
    if region:
        profile_values["region"] = region
    plan = ssoconfig.plan(ctx.config, profile, sso_session, session_values, profile_values)
    _confirm(plan, ctx, force, confirmed)
    changed = ssoconfig.write(plan)
    render.stderr.print(
        f"{'Wrote' if changed else 'Already in'} {plan.path}: [{plan.profile_section}] and "
        f"[sso-session {sso_session}].\nNext: devcreds login --profile {profile}\n"
        "For an app or tool that takes a credential_process (the full path: it may not run "
        f"with your PATH):\n  credential_process = {render.own_command()} export --profile "
        f"{profile}",
        markup=False,
    )


def _needed_off_a_terminal(
    profile: str | None, account_id: str | None, role_name: str | None, sso_session: str
) -> UsageError:
    """What a script must give: nothing is asked when no person is at the terminal."""
    missing = [] if profile else ["--profile"]
    if account_id is None or role_name is None:
        missing += ["--account-id", "--role-name"]
        hint = f"devcreds roles --sso-session {sso_session} --json (after devcreds login)"
    else:
        hint = f"add --profile NAME (aws configure sso suggests {role_name}-{account_id})"
    names = missing[0] if len(missing) == 1 else f"{', '.join(missing[:-1])} and {missing[-1]}"
    verb = "is" if len(missing) == 1 else "are"
    return UsageError(f"{names} {verb} needed when not on a terminal", hint=hint)


def _planned_session(ctx: Context, sso_session: str, session_values: dict[str, str]) -> SsoSession:
    """The [sso-session] as it will be written, to log in with before anything is: a pick
    cancelled leaves the config file as it was."""
    values = {**ctx.config.sso_sessions.get(sso_session, {}), **session_values}
    planned = ctx.config._replace(sso_sessions={**ctx.config.sso_sessions, sso_session: values})
    return awsconfig.sso_session(planned, sso_session)


def _confirm(
    plan: ssoconfig.Plan, ctx: Context, force: bool, confirmed: list[str] | None = None
) -> list[str]:
    """The plan's conflicts, each said once and agreed to with --force or a yes at the
    terminal; those in ``confirmed`` were agreed to already."""
    conflicts = [line for line in plan.conflicts if line not in (confirmed or [])]
    if conflicts and not force:
        for line in conflicts:
            render.warning(line)
        if not ctx.interactive:
            raise UsageError(
                f"not changing {plan.path} without --force",
                hint="pass --force to change it, or choose another --sso-session / --profile name",
            )
        if not Confirm.ask("Change it?", console=render.stderr, default=False):
            raise UsageError(f"{plan.path} left as it was", hint="devcreds configure sso --help")
    return [*(confirmed or []), *conflicts]


def _validate(
    profile: str | None,
    sso_session: str,
    start_url: str,
    sso_region: str,
    account_id: str | None,
    role_name: str | None,
    region: str | None,
) -> None:
    checks = [
        (profile is None or _NAME.match(profile), "--profile", "letters, digits and . _ @ + -"),
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


def _pick_role(ctx: Context, session: SsoSession) -> tuple[str, str]:
    result = listed_roles(ctx, session, None)  # warns of accounts it could not list
    roles = result.roles
    if not roles:
        if result.failures:
            raise result.failures[0].error
        raise UsageError(
            f"{session.start_url} gives you no roles", hint="ask your AWS administrator"
        )
    index = picker.pick(
        "role",
        [(role.account_id, role.account_name, role.role_name) for role in roles],
        hint=f"give --account-id and --role-name (devcreds roles --sso-session {session.name} "
        "lists them)",
        environ=ctx.environ,
    )
    return roles[index].account_id, roles[index].role_name


def _ask_region(ctx: Context, profile: str | None, sso_region: str) -> str:
    """The profile's region: the one it has, else the SSO region, unless another is typed."""
    current = ctx.config.profiles.get(profile, {}).get("region") if profile else None
    while True:
        answer = _ask("Default region", current or sso_region, "--region")
        if regions.valid(answer):
            return answer
        render.stderr.print(f"Not a region: {regions.hint(answer)}", markup=False)


def _ask_profile(suggested: str) -> str:
    # A role name may hold = and , which a profile name may not: then nothing is offered.
    default = suggested if _NAME.match(suggested) else None
    while True:
        answer = _ask("Profile name", default, "--profile")
        if _NAME.match(answer):
            return answer
        render.stderr.print("A profile name is letters, digits and . _ @ + -", markup=False)


def _ask(question: str, default: str | None, option: str) -> str:
    try:
        answer = Prompt.ask(question, console=render.stderr, default=default)
    except EOFError:  # Ctrl-D: nothing more will be typed
        render.stderr.print()
        raise UsageError(f"no answer to {question.lower()}", hint=f"give {option}") from None
    return (answer or "").strip()
