"""``devcreds refresh``: rewrite the files devcreds wrote whose credentials are about to expire."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from devcreds import awsconfig, keepfresh
from devcreds.cache import RoleCredentials, format_timestamp
from devcreds.cli import render
from devcreds.cli.context import Context
from devcreds.cli.options import AllowTracked, Json
from devcreds.cli.signin import logging_in_if_needed
from devcreds.keepfresh import FileResult, Report


def refresh(
    files: Annotated[
        list[Path] | None,
        typer.Argument(metavar="FILE...", help="Files devcreds wrote to (default: every one)."),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Rewrite even credentials that are still fresh.")
    ] = False,
    allow_tracked: AllowTracked = False,
    as_json: Json = False,
    verbose: Annotated[
        bool,
        typer.Option("--verbose", "-v", help="Also list the files that need nothing."),
    ] = False,
) -> None:
    """Rewrite each file devcreds wrote whose credentials expire soon, with fresh ones.

    Examples:

    \b
      devcreds refresh                           # every file due
      devcreds refresh --force Properties/launchSettings.json
    """
    ctx = Context.from_process(None)
    now = ctx.clock()
    report = keepfresh.refresh(
        ctx.paths,
        ctx.config,
        _fetcher(ctx),
        now,
        chosen=files,
        force=force,
        allow_tracked=allow_tracked,
    )
    for text in report.warnings:
        render.warning(text)
    if as_json:
        render.json_out(_json(report))
    else:
        _print(report, now, verbose)
    error = report.error()
    if error is not None:
        raise error


def _fetcher(base: Context) -> keepfresh.Fetch:
    """Credentials of each profile the files were written for; a person at the terminal may
    be asked to log in, as ``write`` does, and nobody else ever is."""

    def fetch(profile: str, outlive: dt.datetime | None) -> RoleCredentials:
        ctx = Context(base.environ, profile, base.clock, base.sleep)
        root = awsconfig.credential_chain(ctx.config, profile).root
        return logging_in_if_needed(
            ctx, root.session, profile, lambda: ctx.profile_credentials(outlive)
        )

    return fetch


def _print(report: Report, now: dt.datetime, verbose: bool) -> None:
    out = render.stderr
    if not report.results:
        out.print("nothing to refresh: devcreds has no record of writing any file")
    for result in report.results:
        if result.error is not None:
            out.print(f"not refreshed: {result.path}", markup=False)
            render.error(result.error)
        elif result.status != "live" or verbose:
            out.print(_line(result, now), markup=False)
        if result.kept:
            them = "them" if len(result.kept) > 1 else "it"
            out.print(
                f"kept the earlier {', '.join(result.kept)} of {result.path}; "
                f"devcreds clean puts {them} back",
                markup=False,
            )


def _line(result: FileResult, now: dt.datetime) -> str:
    if result.status == "updated" and result.expires_at is not None:
        until = _when(result.expires_at, now)
        return f"updated: {result.path} (profile {result.profile}, until {until})"
    if result.status == "fresh" and result.refresh_at is not None:
        return f"still fresh until {_when(result.refresh_at, now)}: {result.path}"
    if result.status == "live":
        return f"live, nothing to refresh: {result.path} (it points at devcreds serve)"
    if result.status in ("dropped", "leftovers") and result.note:
        return result.note
    return f"{result.status}: {result.path}" + (f" ({result.note})" if result.note else "")


def _when(moment: dt.datetime, now: dt.datetime) -> str:
    """HH:MM in local time, with the date when it is not today's."""
    local = moment.astimezone()
    same_day = local.date() == now.astimezone().date()
    return local.strftime("%H:%M" if same_day else "%Y-%m-%d %H:%M")


def _json(report: Report) -> dict[str, object]:
    def at(moment: dt.datetime | None) -> str | None:
        return format_timestamp(moment) if moment is not None else None

    return {
        "files": [
            {
                "path": str(r.path),
                "kind": r.kind,
                "profile": r.profile,
                "status": r.status,
                "expiresAt": at(r.expires_at),
                "refreshAt": at(r.refresh_at),
                "note": r.note,
                "kept": list(r.kept),
                "error": (
                    None
                    if r.error is None
                    else {
                        "message": r.error.message,
                        "hint": r.error.hint,
                        "exitCode": r.error.exit_code,
                    }
                ),
            }
            for r in report.results
        ],
        "warnings": report.warnings,
    }
