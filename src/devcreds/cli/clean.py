"""``devcreds clean``: take out exactly what devcreds wrote, and put back what it replaced."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from devcreds.cli import render
from devcreds.cli.context import Context
from devcreds.errors import UsageError
from devcreds.sinks import deliver


def clean(
    files: Annotated[
        list[Path] | None, typer.Argument(metavar="FILE...", help="Files devcreds wrote to.")
    ] = None,
    everything: Annotated[
        bool, typer.Option("--all", help="Every file devcreds wrote to.")
    ] = False,
    endpoints: Annotated[
        bool,
        typer.Option(
            "--endpoints",
            help="With --all: also the files git tracks that point at devcreds serve (the "
            "team's set-up, left as they are without it).",
        ),
    ] = False,
) -> None:
    """Remove the credentials devcreds wrote and restore the values they replaced.

    Examples:

    \b
      devcreds clean Properties/launchSettings.json
      devcreds clean --all                       # every file devcreds wrote
      devcreds clean --all --endpoints           # and the team's files pointing at serve
    """
    if bool(files) == everything:
        raise UsageError("name the files to clean, or pass --all", hint="devcreds clean --all")
    ctx = Context.from_process(None)
    report = deliver.clean(ctx.paths, None if everything else files, endpoints=endpoints)
    if everything and not report.outcomes and not report.warnings:
        render.stderr.print("nothing to clean: devcreds has no record of writing any file")
    render.report(report, "cleaned", "nothing to clean")
    render.raise_failures(report, "cleaned", "fix them, then run devcreds clean again")
