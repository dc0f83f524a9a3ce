"""The ``devcreds`` command: parses, dispatches, and turns errors into exit codes."""

from __future__ import annotations

import logging
from typing import Annotated

import typer

from devcreds import __version__
from devcreds.cli import (
    clean,
    completion,
    configure,
    console,
    demo,
    emulator,
    execute,
    export,
    login,
    logout,
    populate,
    refresh,
    render,
    roles,
    serve,
    status,
    watch,
    whoami,
    write,
)
from devcreds.errors import DevcredsError

app = typer.Typer(
    rich_markup_mode=None,  # help text is plain: "[sso-session]" is not markup
    name="devcreds",
    help="AWS IAM Identity Center credentials for developers.",
    no_args_is_help=True,
    add_completion=True,
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
        # Our logger only: botocore's debug log prints request and response bodies,
        # which carry tokens and keys.
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("debug: %(name)s: %(message)s"))
        logger = logging.getLogger("devcreds")
        logger.setLevel(logging.DEBUG)
        logger.addHandler(handler)


# In the order a user meets them.
app.add_typer(configure.app, name="configure")
configure.app.command("populate")(populate.populate_profiles)
app.command("login")(login.login)
app.command("export")(export.export)
app.add_typer(write.app, name="write")
app.command("clean")(clean.clean)
app.command("refresh")(refresh.refresh)
app.command("watch")(watch.watch)
# Everything after the command belongs to it, even what looks like our options.
app.command("exec", context_settings={"allow_interspersed_args": False})(execute.run_command)
app.command("roles")(roles.roles)
app.command("console")(console.console)
app.command("status")(status.status)
app.command("whoami")(whoami.whoami)
app.command("serve")(serve.serve)
app.command("logout")(logout.logout)
app.command("emulator")(emulator.emulator)
app.command("demo")(demo.demo)
app.command("completion")(completion.completion)


def run(argv: list[str]) -> int:
    """Run the CLI on ``argv``; every expected failure becomes one message and an exit code.

    Typer handles its own usage errors (exit 2) and Ctrl-C in standalone mode;
    ours arrive here as ``DevcredsError``.
    """
    try:
        app(args=argv, prog_name="devcreds")
    except DevcredsError as exc:
        render.error(exc)
        return exc.exit_code
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    return 0
