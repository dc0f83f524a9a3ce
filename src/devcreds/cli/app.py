"""The ``devcreds`` command: parses, dispatches, and turns errors into exit codes."""

from __future__ import annotations

import logging
from typing import Annotated

import click
import typer

from devcreds import __version__
from devcreds.cli import demo, emulator, render
from devcreds.errors import DevcredsError

app = typer.Typer(
    name="devcreds",
    help="AWS IAM Identity Center credentials for developers.",
    no_args_is_help=True,
    add_completion=False,
    # Rich tracebacks print local variables, which may hold tokens: never show them.
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        render.stdout.print(f"devcreds {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    debug: Annotated[
        bool, typer.Option("--debug", help="Log what devcreds does to stderr (never secrets).")
    ] = False,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    if debug:
        logging.basicConfig(level=logging.DEBUG, format="debug: %(name)s: %(message)s")


app.command("emulator")(emulator.emulator)
app.command("demo")(demo.demo)


def run(argv: list[str]) -> int:
    """Run the CLI on ``argv``; every expected failure becomes one message and an exit code."""
    try:
        result = app(args=argv, prog_name="devcreds", standalone_mode=False)
    except DevcredsError as exc:
        render.error(exc)
        return exc.exit_code
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except (click.exceptions.Abort, KeyboardInterrupt):
        render.stderr.print("aborted")
        return 130
    return result if isinstance(result, int) else 0
