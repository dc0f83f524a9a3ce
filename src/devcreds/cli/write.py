"""``devcreds write …``: credentials into the files apps read."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from devcreds import awsconfig, formats
from devcreds.cli import render
from devcreds.cli.context import Context
from devcreds.cli.options import Profile
from devcreds.cli.signin import credentials_for
from devcreds.errors import UsageError
from devcreds.sinks import deliver, launchsettings, vscode

app = typer.Typer(
    rich_markup_mode=None,  # help text is plain: "[sso-session]" is not markup
    help="Write fresh credentials into the files your apps read.",
    no_args_is_help=True,
)

AllowTracked = Annotated[
    bool,
    typer.Option(
        "--allow-tracked",
        help="Write even into a file git tracks (the secrets could be committed).",
    ),
]
WithRegion = Annotated[bool, typer.Option("--with-region", help="Also set AWS_REGION.")]


@app.command("launchsettings")
def write_launchsettings(
    files: Annotated[
        list[Path] | None, typer.Argument(help="Default: Properties/launchSettings.json")
    ] = None,
    profile: Profile = None,
    launch_profile: Annotated[
        list[str] | None,
        typer.Option("--launch-profile", help="Only this launch profile (repeatable)."),
    ] = None,
    recursive: Annotated[
        Path | None,
        typer.Option("--recursive", help="Every launchSettings.json under this folder."),
    ] = None,
    with_region: WithRegion = False,
    allow_tracked: AllowTracked = False,
) -> None:
    """Set AWS credentials in environmentVariables of every launch profile (.NET)."""
    targets = list(files or [])
    if recursive is not None:
        targets += deliver.discover(recursive, "launchSettings.json")
    if not targets:
        targets = [Path(launchsettings.DEFAULT_PATH)]
    _write_json("launchsettings", targets, profile, launch_profile, with_region, allow_tracked)


@app.command("vscode")
def write_vscode(
    file: Annotated[Path | None, typer.Argument(help="Default: .vscode/launch.json")] = None,
    profile: Profile = None,
    configuration: Annotated[
        list[str] | None,
        typer.Option("--configuration", help="Only this configuration (repeatable)."),
    ] = None,
    with_region: WithRegion = False,
    allow_tracked: AllowTracked = False,
) -> None:
    """Set AWS credentials in the env of every VS Code launch configuration."""
    targets = [file or Path(vscode.DEFAULT_PATH)]
    _write_json("vscode", targets, profile, configuration, with_region, allow_tracked)


def _write_json(
    kind: str,
    targets: list[Path],
    profile: str | None,
    only: list[str] | None,
    with_region: bool,
    allow_tracked: bool,
) -> None:
    ctx = Context.from_process(profile)
    _deliver(ctx, kind, targets, with_region, allow_tracked, only)


def _deliver(
    ctx: Context,
    kind: str,
    targets: list[Path],
    with_region: bool,
    allow_tracked: bool,
    only: list[str] | None,
) -> None:
    region = _region(ctx) if with_region else None

    def credentials() -> deliver.Delivery:
        creds = credentials_for(ctx)
        variables = formats.variables(creds.fields())
        if region:
            variables["AWS_REGION"] = region
        return deliver.Delivery(variables, ctx.profile, creds.expiration)

    report = deliver.write(
        ctx.paths,
        kind,
        targets,
        credentials,
        now=ctx.clock(),
        only=only,
        allow_tracked=allow_tracked,
    )
    render.report(report, "updated", "unchanged")
    for outcome in report.outcomes:
        if outcome.kept:
            them = "them" if len(outcome.kept) > 1 else "it"
            render.stderr.print(
                f"kept the earlier {', '.join(outcome.kept)} of {outcome.path}; "
                f"devcreds clean puts {them} back",
                markup=False,
            )
    render.raise_failures(report, "written", "fix the files named above, then run it again")


@app.command("dotenv")
def write_dotenv(
    file: Annotated[Path, typer.Argument(help="The .env file (created if missing).")],
    profile: Profile = None,
    with_region: WithRegion = False,
    allow_tracked: AllowTracked = False,
) -> None:
    """Set AWS credentials in a .env file, touching only their lines."""
    ctx = Context.from_process(profile)
    _deliver(ctx, "dotenv", [file], with_region, allow_tracked, None)


@app.command("credentials")
def write_credentials(
    profile: Profile = None,
    as_name: Annotated[
        str | None,
        typer.Option("--as", help="Profile name in the credentials file (default: --profile)."),
    ] = None,
) -> None:
    """Write the credentials as a profile of ~/.aws/credentials (AWS_SHARED_CREDENTIALS_FILE)."""
    ctx = Context.from_process(profile)
    # The credentials file is the user's own, not a project file: no git check.
    target = [ctx.paths.credentials_file]
    _deliver(ctx, "credentials", target, False, True, [as_name or ctx.profile])


def _region(ctx: Context) -> str:
    region = (
        awsconfig.profile_region(ctx.config, ctx.profile)
        or ctx.environ.get("AWS_REGION")
        or ctx.environ.get("AWS_DEFAULT_REGION")
    )
    if not region:
        raise UsageError(
            f"profile {ctx.profile} has no region for --with-region",
            hint=f"devcreds configure sso --profile {ctx.profile} ... --region REGION",
        )
    return region
