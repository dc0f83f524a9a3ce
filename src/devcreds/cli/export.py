"""``devcreds export``: print credentials for a profile, renewing silently when it can."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from devcreds import awsconfig, formats
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
            help="process (credential_process JSON), env, env-no-export, powershell, "
            "windows-cmd (or cmd), fish, dotenv or json.",
        ),
    ] = "process",
    with_region: Annotated[
        bool,
        typer.Option(
            "--with-region",
            help="Also print the profile's region (AWS_REGION and AWS_DEFAULT_REGION).",
        ),
    ] = False,
) -> None:
    """Print credentials for a profile, e.g. as a credential_process or shell variables.

    Examples: eval "$(devcreds export -p dev --format env --with-region)";
    credential_process = /path/to/devcreds export --profile dev
    """
    formats.check(fmt, with_region=with_region)
    ctx = Context.from_process(profile)
    region = None
    if with_region:
        region = awsconfig.profile_region(ctx.config, ctx.profile)
        if region is None:
            raise UsageError(
                f"profile {ctx.profile} has no region to print",
                hint=f"add region = REGION to [profile {ctx.profile}] in {ctx.config.path}",
            )
    creds = credentials_for(ctx)
    sys.stdout.write(formats.render(creds.fields(), fmt, region))
