"""``export`` off a terminal without the CLI framework: the credential_process case.

When the fast path cannot answer (credentials to renew, a first run), an SDK
is still waiting on us. Typer and rich (and the pydantic Typer brings) cost
more to import than the renewal itself, and off a terminal they add nothing:
no prompt, no colour. This path gives the full CLI's output, errors and exit
codes; anything else (a terminal, other options) goes to the full CLI.
"""

from __future__ import annotations

import sys

from devcreds import fastpath, formats
from devcreds.errors import DevcredsError

TYPE_CHECKING = False  # as typing.TYPE_CHECKING, without importing typing
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence


def export(argv: Sequence[str], environ: Mapping[str, str]) -> int | None:
    """The exit code, or None to let the full CLI answer."""
    options = fastpath.export_options(argv)
    if options is None or sys.stdin.isatty() or sys.stdout.isatty() or sys.stderr.isatty():
        return None
    fmt = options.get("--format", "process")
    if fmt not in formats.FORMATS:
        return None  # the full CLI words the usage error
    from devcreds.cli.context import Context

    try:
        creds = Context(environ, options.get("--profile")).profile_credentials()
        text = formats.render(creds.fields(), fmt)
    except DevcredsError as exc:
        # What render.error prints when stderr is not a terminal.
        sys.stderr.write(f"error: {exc.message}\n" + (f"hint: {exc.hint}\n" if exc.hint else ""))
        return exc.exit_code
    sys.stdout.write(text)
    return 0
