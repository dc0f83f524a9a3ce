"""``devcreds export``: print credentials for a profile, renewing silently when it can."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from devcreds import awsconfig, formats
from devcreds.cache import RoleCredentials
from devcreds.cli.context import Context
from devcreds.cli.login import logging_in_if_needed
from devcreds.cli.options import Profile
from devcreds.errors import UsageError


def export(
    profile: Profile = None,
    fmt: Annotated[
        str,
        typer.Option(
            "--format",
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


def credentials_for(ctx: Context) -> RoleCredentials:
    """The profile's credentials; a person at a terminal may be asked to log in first."""
    root = awsconfig.credential_chain(ctx.config, ctx.profile).root
    return logging_in_if_needed(ctx, root.session, ctx.profile, ctx.profile_credentials)
