"""How results and errors reach the terminal (stderr for humans, stdout for data)."""

from __future__ import annotations

import json
import sys

from rich.console import Console
from rich.markup import escape

from devcreds.errors import DevcredsError, FileError
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
