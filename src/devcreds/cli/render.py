"""How results and errors reach the terminal (stderr for humans, stdout for data)."""

from __future__ import annotations

import json
import sys

from rich.console import Console
from rich.markup import escape

from devcreds.errors import DevcredsError

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
