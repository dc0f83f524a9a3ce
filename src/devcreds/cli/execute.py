"""``devcreds exec -- CMD``: run a command with the credentials in its environment."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Annotated

import typer

from devcreds import awsconfig, formats
from devcreds.cli.context import Context
from devcreds.cli.options import Profile
from devcreds.cli.signin import credentials_for
from devcreds.errors import UsageError


def run_command(
    command: Annotated[list[str], typer.Argument(help="The command and its arguments, after --.")],
    profile: Profile = None,
) -> None:
    """Run CMD with fresh credentials (and the profile's region) in its environment."""
    ctx = Context.from_process(profile)
    creds = credentials_for(ctx)
    env = dict(os.environ)
    # With AWS_PROFILE set, some SDKs prefer the profile to the variables we pass.
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE"):
        env.pop(name, None)
    env.update(formats.variables(creds.fields()))
    region = awsconfig.profile_region(ctx.config, ctx.profile)
    if region:
        env["AWS_REGION"] = env["AWS_DEFAULT_REGION"] = region
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        if os.name == "posix":
            # Become the command: its exit code is ours and signals reach it directly.
            os.execvpe(command[0], command, env)  # noqa: S606
        completed = subprocess.run(command, env=env, check=False)
    except OSError as exc:  # not found, not executable, not a program
        raise UsageError(
            f"cannot run {command[0]}: {exc.strerror}", hint="check the command name and PATH"
        ) from None
    raise typer.Exit(completed.returncode)
