"""How results and errors reach the terminal (stderr for humans, stdout for data)."""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Sequence
from enum import StrEnum
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from devcreds.errors import DevcredsError, FileError, UsageError
from devcreds.sinks.deliver import Report

# rich honours NO_COLOR and plain pipes by itself.
stdout = Console(highlight=False, soft_wrap=True)
stderr = Console(stderr=True, highlight=False, soft_wrap=True)


def error(exc: DevcredsError) -> None:
    stderr.print(f"[bold red]error:[/] {escape(exc.message)}")
    if exc.hint:
        stderr.print(f"[bold]hint:[/] {escape(exc.hint)}")


def json_out(data: object) -> None:
    """Plain JSON on stdout, whatever the terminal: scripts read this."""
    sys.stdout.write(json.dumps(data, indent=2) + "\n")


def warning(text: str) -> None:
    stderr.print(f"warning: {text}", markup=False)


def report(result: Report, changed: str, unchanged: str) -> None:
    """One line per file of a sink flow, errors where they happened; warnings first."""
    for text in result.warnings:
        warning(text)
    for outcome in result.outcomes:
        if outcome.error is not None:
            error(outcome.error)
        else:
            state = outcome.note or (changed if outcome.changed else unchanged)
            stderr.print(f"{state}: {outcome.path}", markup=False)
        for line in outcome.skipped:
            stderr.print(f"  skipped {line}", markup=False)


def raise_failures(result: Report, done: str, hint: str) -> None:
    """One summary error if any file failed, with their exit code when they share one."""
    failures = result.failures
    if not failures:
        return
    errors = [f.error for f in failures if f.error is not None]
    shared = {type(e).exit_code for e in errors}
    error_type = type(errors[0]) if len(shared) == 1 else FileError
    raise error_type(
        f"{len(failures)} of {len(result.outcomes)} files were not {done} (each left as it was)",
        hint=hint,
    )


class Output(StrEnum):
    """The AWS CLI's --output values: JSON for programs, tab-separated text for the shell's
    tools (never cut to the terminal's width), a table for people."""

    json = "json"
    text = "text"
    table = "table"


def output(chosen: Output | None, as_json: bool) -> Output:
    """--output, or --json (its older spelling); else a table on a terminal, text elsewhere."""
    if as_json:
        if chosen not in (None, Output.json):
            raise UsageError(
                f"--json and --output {chosen.value} ask for two formats",
                hint="give one of them: --output json|text|table",
            )
        return Output.json
    if chosen is not None:
        return chosen
    return Output.table if stdout.is_terminal else Output.text


def rows(
    kind: str | None, headers: Sequence[str], lines: Sequence[Sequence[str]], how: Output
) -> None:
    """A table on stdout, or its lines tab-separated, each led by ``kind`` (as the AWS CLI's
    text output leads them: SESSION, PROFILE…) when one command prints several kinds."""
    if how is Output.table:
        table = Table(*headers)
        for line in lines:
            table.add_row(*line)
        stdout.print(table)
        return
    for line in lines:
        cells = [kind, *line] if kind else list(line)
        # A tab or line break inside a value would shift every column after it.
        sys.stdout.write("\t".join(" ".join(cell.split()) for cell in cells) + "\n")


def when(moment: dt.datetime | None, now: dt.datetime) -> str:
    """``2026-12-01 18:42 UTC (in 42 min)``, for people; "-" when there is nothing."""
    if moment is None:
        return "-"
    seconds = (moment - now).total_seconds()
    absolute = f"{moment.astimezone(dt.UTC):%Y-%m-%d %H:%M} UTC"
    span = _span(abs(seconds))
    return f"{absolute} (in {span})" if seconds >= 0 else f"{absolute} ({span} ago)"


def _span(seconds: float) -> str:
    minutes = int(seconds // 60)
    if minutes < 1:
        return "under a minute"
    if minutes < 90:
        return f"{minutes} min"
    hours, rest = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {rest} min" if rest else f"{hours} h"
    return f"{hours // 24} days"


def own_command() -> str:
    """How another program can start this devcreds: the full path of the script run (pipx's
    shim, a venv's bin/devcreds), or this Python with -m devcreds."""
    script = Path(sys.argv[0])
    if script.name.startswith("devcreds") and script.is_file():
        return str(script.resolve())
    return f"{sys.executable} -m devcreds"
