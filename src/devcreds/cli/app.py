"""The ``devcreds`` command: parses, dispatches, and turns errors into exit codes."""

from __future__ import annotations

import logging
import os
from typing import Annotated

import typer

# Typer ships its own copy of click; its exceptions are the ones a usage error raises.
from typer import _click as click
from typer._click.exceptions import ClickException, NoArgsIsHelpError, NoSuchOption
from typer._click.exceptions import UsageError as ClickUsageError

from devcreds import __version__
from devcreds.cli import (
    clean,
    completion,
    configure,
    console,
    demo,
    doctor,
    emulator,
    execute,
    export,
    login,
    logout,
    options,
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
from devcreds.errors import DevcredsError, UsageError

# The order of `devcreds --help`: the order a user meets the commands in.
ORDER = (
    "configure",
    "login",
    "export",
    "exec",
    "write",
    "refresh",
    "watch",
    "serve",
    "status",
    "whoami",
    "doctor",
    "roles",
    "console",
    "clean",
    "logout",
    "completion",
    "emulator",
    "demo",
)


class _Commands(typer.core.TyperGroup):
    def list_commands(self, ctx: click.Context) -> list[str]:
        known = super().list_commands(ctx)
        return [name for name in ORDER if name in known] + [n for n in known if n not in ORDER]


app = typer.Typer(
    cls=_Commands,
    rich_markup_mode=None,  # help text is plain: "[sso-session]" is not markup
    name="devcreds",
    help="AWS IAM Identity Center credentials for developers.\n\n"
    "Start with: devcreds configure sso --help",
    no_args_is_help=True,
    add_completion=True,
    context_settings={"help_option_names": ["-h", "--help"]},
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
    profile: Annotated[
        str | None,
        typer.Option(
            "--profile",
            "-p",
            metavar="PROFILE",
            autocompletion=options.complete_profile,
            help="The profile of every command that takes one (before the command, as the "
            "AWS CLI allows); the command's own --profile wins.",
        ),
    ] = None,
) -> None:
    if profile:
        # What `devcreds --profile dev export` means: `AWS_PROFILE=dev devcreds export`.
        os.environ["AWS_PROFILE"] = profile
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
app.command("doctor")(doctor.doctor)


def run(argv: list[str]) -> int:
    """Run the CLI on ``argv``; every expected failure becomes one message and an exit code.

    Typer handles its own usage errors (exit 2) and Ctrl-C in standalone mode;
    ours arrive here as ``DevcredsError``.
    """
    try:
        code = app(args=argv, prog_name="devcreds", standalone_mode=False)
    except DevcredsError as exc:
        render.error(exc)
        return exc.exit_code
    except NoArgsIsHelpError as exc:
        render.stdout.print(exc.ctx.get_help() if exc.ctx else "", markup=False)
        return exc.exit_code
    except ClickUsageError as exc:
        render.error(_usage(exc))
        return exc.exit_code
    except ClickException as exc:  # e.g. a --file argument click could not open
        render.error(DevcredsError(exc.format_message(), hint="devcreds --help"))
        return exc.exit_code
    except typer.Abort:  # end of input at a prompt
        render.error(DevcredsError("aborted at the prompt", hint="run the command again"))
        return 1
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    return code if isinstance(code, int) else 0


def _usage(exc: ClickUsageError) -> UsageError:
    """click's usage error as our error: the problem, then what to try."""
    command = exc.ctx.command_path if exc.ctx else "devcreds"
    message = exc.format_message()
    if isinstance(exc, NoSuchOption):
        message = f"no such option: {exc.option_name}"
        if exc.possibilities:
            near = " or ".join(sorted(exc.possibilities)[:3])
            return UsageError(message, hint=f"did you mean {near}? ({command} --help)")
    problem, found, suggestion = message.partition(" Did you mean ")
    if found:  # Typer's suggestion for a command name
        return UsageError(problem, hint=f"did you mean {suggestion} ({command} --help)")
    first, _, rest = message.partition("\n")
    if rest.strip():
        return UsageError(first, hint=f"{' '.join(rest.split())} ({command} --help)")
    return UsageError(message, hint=f"{command} --help")
