"""``devcreds write …`` and ``devcreds clean``: credentials into the files apps read, and out."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer

from devcreds import awsconfig, formats
from devcreds.cli import render
from devcreds.cli.context import Context
from devcreds.cli.export import credentials_for
from devcreds.cli.options import Profile
from devcreds.errors import DevcredsError, FileError, UsageError
from devcreds.sinks import deliver, gitcheck, launchsettings, registry, vscode

app = typer.Typer(
    help="Write fresh credentials into the files your apps read.", no_args_is_help=True
)

_SKIP_DIRS = {"bin", "obj", "node_modules", ".git"}

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
        targets += _find(recursive, "launchSettings.json")
        if not targets:
            raise FileError(
                f"no launchSettings.json under {recursive} (bin, obj, node_modules, .git skipped)",
                hint="run it from the solution folder, or name the files",
            )
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


def _find(root: Path, name: str) -> list[Path]:
    if not root.is_dir():
        raise FileError(
            f"{root} is not a folder", hint="devcreds write launchsettings --recursive DIR"
        )
    found = []
    for folder, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in _SKIP_DIRS)
        if name in names:
            found.append(Path(folder) / name)
    return found


def _write_json(
    kind: str,
    targets: list[Path],
    profile: str | None,
    only: list[str] | None,
    with_region: bool,
    allow_tracked: bool,
) -> None:
    ctx = Context.from_process(profile)
    resolved = [_existing(path, kind) for path in targets]
    _deliver(
        ctx,
        resolved,
        kind,
        with_region,
        allow_tracked,
        lambda path, delivery, previous: deliver.write_json(
            ctx.paths, kind, path, delivery, only, ctx.clock(), previous
        ),
    )


def _deliver(
    ctx: Context,
    targets: list[Path],
    kind: str,
    with_region: bool,
    allow_tracked: bool,
    write_one: Callable[[Path, deliver.Delivery, registry.Record | None], deliver.Written],
) -> None:
    """Git check, credentials, then each file; one bad file does not stop the others."""
    _check_git(targets, allow_tracked, kind)
    creds = credentials_for(ctx)
    variables = formats.variables(creds.fields())
    if with_region:
        variables["AWS_REGION"] = _region(ctx)
    delivery = deliver.Delivery(variables, ctx.profile, creds.expiration)
    previous = {(r.path, r.kind): r for r in registry.load(ctx.paths)}
    failures = 0
    written: list[registry.Record] = []
    try:
        for path in targets:
            try:
                changed, record = write_one(path, delivery, previous.get((str(path), kind)))
            except DevcredsError as exc:
                failures += 1
                render.error(exc)
                continue
            written.append(record)
            render.stderr.print(f"{'updated' if changed else 'unchanged'}: {path}", markup=False)
    finally:
        registry.remember(ctx.paths, written)  # whatever was written, even if we stop early
    if failures:
        raise FileError(
            f"{failures} of {len(targets)} files were not written (each left as it was)",
            hint="fix the files named above, then run the same command again",
        )


@app.command("dotenv")
def write_dotenv(
    file: Annotated[Path, typer.Argument(help="The .env file (created if missing).")],
    profile: Profile = None,
    with_region: WithRegion = False,
    allow_tracked: AllowTracked = False,
) -> None:
    """Set AWS credentials in a .env file, touching only their lines."""
    ctx = Context.from_process(profile)
    path = file.absolute()
    if path.is_dir():
        raise FileError(f"{file} is a folder, not a file", hint="devcreds write dotenv PATH/.env")
    _deliver(
        ctx,
        [path],
        "dotenv",
        with_region,
        allow_tracked,
        lambda target, delivery, previous: deliver.write_dotenv(
            ctx.paths, target, delivery, ctx.clock(), previous
        ),
    )


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
    section = as_name or ctx.profile
    _deliver(
        ctx,
        [ctx.paths.credentials_file],
        "credentials",
        False,
        True,  # the credentials file is the user's own, not a project file
        lambda _, delivery, previous: deliver.write_credentials(
            ctx.paths, section, delivery, ctx.clock(), previous
        ),
    )


def _existing(path: Path, kind: str) -> Path:
    absolute = path.absolute()
    if not absolute.exists():
        where = f" (looked in {Path.cwd()})" if not path.is_absolute() else ""
        raise FileError(
            f"{path} does not exist{where}",
            hint=f"run from the project folder, or name the file: devcreds write {kind} PATH",
        )
    if absolute.is_dir():
        raise FileError(
            f"{path} is a folder, not a file", hint=f"devcreds write {kind} PATH/TO/FILE"
        )
    return absolute


def _check_git(paths: list[Path], allow_tracked: bool, kind: str) -> None:
    tracked = []
    for path, state in gitcheck.states(paths).items():
        if state is gitcheck.GitState.TRACKED:
            tracked.append(path)
        elif state is gitcheck.GitState.UNTRACKED:
            render.stderr.print(
                f"warning: git does not ignore {path}; add it to .gitignore so these "
                "credentials are never committed",
                markup=False,
            )
    if tracked and not allow_tracked:
        names = ", ".join(str(p) for p in tracked)
        raise FileError(
            f"git tracks {names}: credentials written there would be one commit away from "
            "being published",
            hint=f"keep them out (a .env file or envFile the repo ignores), or pass "
            f"--allow-tracked to devcreds write {kind}",
        )


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


def clean(
    files: Annotated[list[Path] | None, typer.Argument(help="Files devcreds wrote to.")] = None,
    everything: Annotated[
        bool, typer.Option("--all", help="Every file devcreds wrote to.")
    ] = False,
) -> None:
    """Remove exactly the credentials devcreds wrote, leaving the rest of each file as it was."""
    if bool(files) == everything:
        raise UsageError("name the files to clean, or pass --all", hint="devcreds clean --all")
    ctx = Context.from_process(None)
    records = registry.load(ctx.paths)
    if not everything:
        wanted = {str(path.absolute()) for path in files or []}
        unknown = wanted - {r.path for r in records}
        if unknown:
            raise UsageError(
                f"devcreds has no record of writing to {', '.join(sorted(unknown))}",
                hint="devcreds status (lists the files devcreds wrote)",
            )
        records = [r for r in records if r.path in wanted]
    clean_records(ctx, records)


def clean_records(ctx: Context, records: list[registry.Record]) -> None:
    failures = 0
    for record in records:
        try:
            changed = deliver.clean(ctx.paths, record)
        except DevcredsError as exc:
            render.error(exc)
            failures += 1
            continue
        render.stderr.print(
            f"{'cleaned' if changed else 'nothing to clean'}: {record.path}", markup=False
        )
    if failures:
        raise FileError(
            f"{failures} files could not be cleaned", hint="fix them, then run it again"
        )
