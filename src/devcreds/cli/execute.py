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
from devcreds.errors import CommandNotFound, CommandNotRunnable, UsageError
from devcreds.platforms import HOST, Platform

# Set in the command's environment: the profile its credentials are for.
MARKER = "DEVCREDS_PROFILE"


def run_command(
    command: Annotated[
        list[str], typer.Argument(metavar="CMD...", help="The command and its arguments, after --.")
    ],
    profile: Profile = None,
) -> None:
    """Run CMD with fresh credentials (and the profile's region) in its environment.

    CMD also gets DEVCREDS_PROFILE (for a prompt to show; an exec inside it is refused, as
    its credentials would be the outer ones'). A command that is not found exits 127, one
    that cannot run 126, as in a shell.

    Example: devcreds exec -p dev -- aws s3 ls
    """
    outer = os.environ.get(MARKER)
    if outer:
        raise UsageError(
            f"already inside devcreds exec for profile {outer}",
            hint=f"exit that shell first (or unset {MARKER} to insist)",
        )
    ctx = Context.from_process(profile)
    creds = credentials_for(ctx)
    env = dict(os.environ)
    env[MARKER] = ctx.profile
    # With AWS_PROFILE set, some SDKs prefer the profile to the variables we pass.
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE"):
        env.pop(name, None)
    env.update(formats.variables(creds.fields()))
    region = awsconfig.profile_region(ctx.config, ctx.profile)
    if region:
        env["AWS_REGION"] = env["AWS_DEFAULT_REGION"] = region
    sys.stdout.flush()
    sys.stderr.flush()
    raise typer.Exit(launch(command, env, ctx.platform))


def launch(command: list[str], env: dict[str, str], platform: Platform = HOST) -> int:
    """Run ``command`` with ``env``; its exit code. On POSIX devcreds becomes the command
    (exec: signals reach it directly, and this never returns); Windows has no exec that
    keeps the process, so there devcreds waits for it."""
    try:
        if not platform.windows:
            os.execvpe(command[0], command, env)  # noqa: S606
        return subprocess.run(command, env=env, check=False).returncode
    except FileNotFoundError:
        raise CommandNotFound(
            f"command not found: {command[0]}", hint="check the command's name and PATH"
        ) from None
    except OSError as exc:  # not executable, not a program
        raise CommandNotRunnable(
            f"cannot run {command[0]}: {exc.strerror}",
            hint=platform.show_permissions(command[0]),
        ) from None
