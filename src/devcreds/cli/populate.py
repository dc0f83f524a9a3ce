"""``devcreds configure populate``: a profile for every account and role of an SSO session."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from devcreds import awsconfig, inifile, populate, regions
from devcreds.awsconfig import SsoSession
from devcreds.cli import render
from devcreds.cli.context import Context
from devcreds.cli.options import Json, RefreshListing, SsoSessionName
from devcreds.cli.signin import incomplete, listed_roles
from devcreds.errors import UsageError

# Profiles named one by one in the report; the rest are counted.
_SHOWN = 5


def populate_profiles(
    sso_session: SsoSessionName = None,
    name_template: Annotated[
        str,
        typer.Option(
            "--name-template",
            metavar="TEMPLATE",
            help="Profile names from {account_id}, {account_name}, {role_name}, {region} and "
            "{sso_session}.",
        ),
    ] = populate.DEFAULT_TEMPLATE,
    region: Annotated[
        str | None,
        typer.Option(
            "--region",
            metavar="REGION",
            help="Region of the profiles' API calls (default: the sso-session's sso_region).",
        ),
    ] = None,
    prune: Annotated[
        bool,
        typer.Option(
            "--prune",
            help="Remove the generated profiles of roles you no longer have (never one you wrote).",
        ),
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print the change as a diff; write nothing.")
    ] = False,
    refresh: RefreshListing = False,
    as_json: Json = False,
) -> None:
    """Write one profile per account and role you can reach into the AWS config file.

    Each is an sso-session profile named by --name-template and marked devcreds_populated;
    a rerun changes only what changed, and profiles you wrote are never touched.

    Example: devcreds configure populate --sso-session corp --region eu-west-1 --prune
    """
    populate.check_template(name_template)
    if region is not None and not regions.valid(region):
        raise UsageError(
            f"invalid --region: expected {regions.hint(region)}",
            hint="devcreds configure populate --help",
        )
    ctx = Context.from_process(None)
    session = _session(ctx, sso_session)
    assert session.name is not None  # _session gives only named sessions
    result = listed_roles(ctx, session, None, refresh=refresh)
    plan = populate.plan(
        ctx.config,
        inifile.commented(ctx.config.path),
        session.name,
        result,
        template=name_template,
        region=region or session.region,
        region_given=region is not None,
        prune=prune,
    )
    diff = populate.diff(plan) if dry_run else None
    written = False if dry_run else populate.write(plan)
    if as_json:
        render.json_out({**_summary(plan, written), "diff": diff})
    elif diff is not None:
        sys.stdout.write(diff)
    _report(plan, written, dry_run, len(result.roles))
    if result.failures:
        raise incomplete(result, "their profiles were left as they were")


def _session(ctx: Context, name: str | None) -> SsoSession:
    """The named [sso-session], or the only one in the config file."""
    if name is None:
        names = sorted(ctx.config.sso_sessions)
        if not names:
            raise UsageError(
                f"{ctx.config.path} has no [sso-session] to populate from",
                hint="devcreds configure sso --profile dev --sso-session corp --start-url URL "
                "--sso-region REGION",
            )
        if len(names) > 1:
            raise UsageError(
                f"{ctx.config.path} has {len(names)} sso-sessions ({', '.join(names)})",
                hint=f"devcreds configure populate --sso-session {names[0]}",
            )
        name = names[0]
    return awsconfig.sso_session(ctx.config, name)


def _summary(plan: populate.Plan, written: bool) -> dict[str, object]:
    return {
        "file": str(plan.path),
        "written": written,
        "added": plan.added,
        "updated": plan.updated,
        "removed": plan.removed,
        "unchanged": plan.unchanged,
        "skipped": [{"profile": s.profile, "reason": s.reason} for s in plan.skipped],
        "stale": plan.stale,
    }


def _report(plan: populate.Plan, written: bool, dry_run: bool, roles: int) -> None:
    counts = (
        f"{len(plan.added)} added, {len(plan.updated)} updated, {len(plan.removed)} removed, "
        f"{plan.unchanged} up to date"
    )
    head = f"Nothing to change in {plan.path}"
    if dry_run and not plan.empty:
        head = f"Would change {plan.path}"
    elif written:
        head = f"Wrote {plan.path}"
    render.stderr.print(f"{head} ({roles} roles): {counts}.", markup=False)
    for skipped in plan.skipped[:_SHOWN]:
        render.warning(f"profile {skipped.profile}: {skipped.reason}")
    if len(plan.skipped) > _SHOWN:
        render.warning(f"and {len(plan.skipped) - _SHOWN} more profiles left as they are")
    if plan.stale:
        shown = ", ".join(plan.stale[:_SHOWN]) + (" …" if len(plan.stale) > _SHOWN else "")
        render.stderr.print(
            f"{len(plan.stale)} generated profiles match no role you have ({shown}); "
            "devcreds configure populate --prune removes them.",
            markup=False,
        )
    if plan.added and not dry_run:
        render.stderr.print(f"Next: devcreds export --profile {plan.added[0]}", markup=False)
