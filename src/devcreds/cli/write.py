"""``devcreds write …``: credentials into the files apps read."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import typer

from devcreds import awsconfig, formats
from devcreds.cli import render
from devcreds.cli.context import Context
from devcreds.cli.options import AllowTracked, Profile
from devcreds.cli.signin import credentials_for
from devcreds.errors import UsageError
from devcreds.serve import address, state
from devcreds.sinks import deliver, launchsettings, vscode

app = typer.Typer(
    rich_markup_mode=None,  # help text is plain: "[sso-session]" is not markup
    help="Write fresh credentials into the files your apps read.",
    no_args_is_help=True,
)

WithRegion = Annotated[bool, typer.Option("--with-region", help="Also set AWS_REGION.")]
Via = Annotated[
    str | None,
    typer.Option(
        "--via",
        help="serve: write the URL of devcreds serve instead of keys (no secret; never expires).",
        metavar="serve",
    ),
]
ServePort = Annotated[
    int,
    typer.Option(
        "--serve-port",
        metavar="PORT",
        min=1,
        max=65535,
        help="The port devcreds serve listens on (with --via).",
    ),
]


@app.command("launchsettings")
def write_launchsettings(
    files: Annotated[
        list[Path] | None,
        typer.Argument(metavar="FILE...", help="Default: Properties/launchSettings.json"),
    ] = None,
    profile: Profile = None,
    launch_profile: Annotated[
        list[str] | None,
        typer.Option(
            "--launch-profile", metavar="NAME", help="Only this launch profile (repeatable)."
        ),
    ] = None,
    recursive: Annotated[
        Path | None,
        typer.Option(
            "--recursive", metavar="FOLDER", help="Every launchSettings.json under this folder."
        ),
    ] = None,
    with_region: WithRegion = False,
    allow_tracked: AllowTracked = False,
    via: Via = None,
    serve_port: ServePort = state.DEFAULT_PORT,
) -> None:
    """Set AWS credentials in environmentVariables of every launch profile (.NET).

    Examples:

    \b
      devcreds write launchsettings -p dev       # Properties/launchSettings.json
      devcreds write launchsettings -p dev --recursive . --via serve
    """
    targets = list(files or [])
    if recursive is not None:
        targets += deliver.discover(recursive, "launchSettings.json")
    if not targets:
        targets = [Path(launchsettings.DEFAULT_PATH)]
    ctx = Context.from_process(profile)
    how = _How(with_region, allow_tracked, via, serve_port)
    _deliver(ctx, "launchsettings", targets, how, launch_profile)


@app.command("vscode")
def write_vscode(
    file: Annotated[
        Path | None, typer.Argument(metavar="FILE", help="Default: .vscode/launch.json")
    ] = None,
    profile: Profile = None,
    configuration: Annotated[
        list[str] | None,
        typer.Option(
            "--configuration", metavar="NAME", help="Only this configuration (repeatable)."
        ),
    ] = None,
    with_region: WithRegion = False,
    allow_tracked: AllowTracked = False,
    via: Via = None,
    serve_port: ServePort = state.DEFAULT_PORT,
) -> None:
    """Set AWS credentials in the env of every VS Code launch configuration.

    Examples:

    \b
      devcreds write vscode -p dev               # .vscode/launch.json
      devcreds write vscode -p dev --configuration 'Launch API'
    """
    ctx = Context.from_process(profile)
    how = _How(with_region, allow_tracked, via, serve_port)
    _deliver(ctx, "vscode", [file or Path(vscode.DEFAULT_PATH)], how, configuration)


@dataclass(frozen=True)
class _How:
    with_region: bool = False
    allow_tracked: bool = False
    via: str | None = None
    serve_port: int = state.DEFAULT_PORT


def _deliver(
    ctx: Context, kind: str, targets: list[Path], how: _How, only: list[str] | None
) -> None:
    if how.via not in (None, "serve"):
        raise UsageError(f"unknown --via {how.via!r}", hint=f"devcreds write {kind} --via serve")
    region = _region(ctx) if how.with_region else None

    def credentials() -> deliver.Delivery:
        if how.via == "serve":
            return _endpoint(ctx, how.serve_port, region)
        creds = credentials_for(ctx)
        variables = formats.variables(creds.fields())
        if region:
            variables["AWS_REGION"] = region
        return deliver.Delivery(variables, ctx.profile, creds.expiration, with_region=bool(region))

    report = deliver.write(
        ctx.paths,
        kind,
        targets,
        credentials,
        now=ctx.clock(),
        only=only,
        allow_tracked=how.allow_tracked,
        via=how.via,
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
    written = any(o.error is None for o in report.outcomes)
    if how.via == "serve" and written:
        if not state.probe(ctx.paths, how.serve_port):
            render.stderr.print(
                f"devcreds serve is not running on port {how.serve_port}: start it with "
                "devcreds serve (or once for good: devcreds serve --install)",
                markup=False,
            )
        render.stderr.print(
            "every other developer, once (it starts serve at each logon and names the token "
            "variable to set): devcreds serve --install",
            markup=False,
        )
    render.raise_failures(report, "written", "fix the files named above, then run it again")


def _endpoint(ctx: Context, port: int, region: str | None) -> deliver.Delivery:
    """The two variables every SDK reads for container credentials, pointing at serve."""
    state.ensure_token(ctx.paths)  # the file the variable names exists before serve first runs
    wanted = address.for_profile(ctx.config, ctx.profile)
    if wanted.profile is not None:
        render.warning(
            f"profile {ctx.profile} assumes a role, which has no name the whole team shares: "
            "the URL names your profile, so others need a profile of that name"
        )
    variables = {
        state.URI_VARIABLE: address.url(wanted, port),
        state.TOKEN_FILE_VARIABLE: str(state.token_file(ctx.paths)),
    }
    if region:
        variables["AWS_REGION"] = region
    # The token file's path is this developer's own: files shared through git do not get it.
    return deliver.Delivery(
        variables,
        ctx.profile,
        None,
        via="serve",
        private=frozenset({state.TOKEN_FILE_VARIABLE}),
        with_region=bool(region),
    )


@app.command("dotenv")
def write_dotenv(
    file: Annotated[
        Path, typer.Argument(metavar="FILE", help="The .env file (created if missing).")
    ],
    profile: Profile = None,
    with_region: WithRegion = False,
    allow_tracked: AllowTracked = False,
    via: Via = None,
    serve_port: ServePort = state.DEFAULT_PORT,
) -> None:
    """Set AWS credentials in a .env file, touching only their lines.

    Examples:

    \b
      devcreds write dotenv .env -p dev
      devcreds write dotenv .env -p dev --via serve   # a URL instead of keys
    """
    ctx = Context.from_process(profile)
    _deliver(ctx, "dotenv", [file], _How(with_region, allow_tracked, via, serve_port), None)


@app.command("credentials")
def write_credentials(
    profile: Profile = None,
    as_name: Annotated[
        str | None,
        typer.Option(
            "--as",
            metavar="NAME",
            help="Profile name in the credentials file (default: --profile).",
        ),
    ] = None,
) -> None:
    """Write the credentials as a profile of ~/.aws/credentials (AWS_SHARED_CREDENTIALS_FILE).

    Examples:

    \b
      devcreds write credentials -p dev          # as the profile dev
      devcreds write credentials -p dev --as legacy-tool
    """
    ctx = Context.from_process(profile)
    # The credentials file is the user's own, not a project file: no git check.
    target = [ctx.paths.credentials_file]
    _deliver(ctx, "credentials", target, _How(allow_tracked=True), [as_name or ctx.profile])


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
