"""``devcreds export``: print credentials for a profile, renewing silently when it can."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from devcreds import formats
from devcreds.cli.context import Context
from devcreds.cli.options import Profile
from devcreds.cli.signin import credentials_for
from devcreds.errors import UsageError


def export(
    profile: Profile = None,
    fmt: Annotated[
        str,
        typer.Option(
            "--format",
            metavar="FORMAT",
            autocompletion=lambda incomplete: [
                f for f in formats.FORMATS if f.startswith(incomplete)
            ],
            help="process (credential_process JSON), env, env-no-export, powershell, cmd, "
            "fish, dotenv or json.",
        ),
    ] = "process",
) -> None:
    """Print credentials for a profile, e.g. as a credential_process or shell variables."""
    if fmt not in formats.FORMATS:
        raise UsageError(
            f"unknown format {fmt!r}", hint=f"devcreds export --format {'|'.join(formats.FORMATS)}"
        )
    ctx = Context.from_process(profile)
    creds = credentials_for(ctx)
    sys.stdout.write(formats.render(creds.fields(), fmt))
