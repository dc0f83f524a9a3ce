"""``devcreds serve``: the container-credentials endpoint for every profile, until stopped."""

from __future__ import annotations

import datetime as dt
import os
import shlex
import sys
from typing import Annotated

import typer

from devcreds.cache import RoleCredentials
from devcreds.cli import render, running
from devcreds.cli.context import Context
from devcreds.errors import UsageError
from devcreds.serve import address, install, roles, server, state
from devcreds.serve.address import Address


def serve(
    port: Annotated[
        int,
        typer.Option(
            "--port",
            metavar="PORT",
            min=0,
            max=65535,
            help="Port (the files written name it); 0 picks a free one.",
        ),
    ] = state.DEFAULT_PORT,
    host: Annotated[
        str, typer.Option("--host", metavar="HOST", help="Address to listen on.")
    ] = state.HOST,
    allow_non_loopback: Annotated[
        bool,
        typer.Option(
            "--allow-non-loopback",
            help="Listen on an address other machines may reach (anyone with the token gets "
            "credentials).",
        ),
    ] = False,
    install_service: Annotated[
        bool,
        typer.Option(
            "--install",
            help="Start serve at every login (systemd user unit, launchd agent, Windows' "
            "per-user Run key); no administrator rights.",
        ),
    ] = False,
    uninstall_service: Annotated[
        bool, typer.Option("--uninstall", help="Remove what --install set up.")
    ] = False,
    at_logon: Annotated[
        # What Windows runs at logon (--install): port and variables from logon.json,
        # output to serve.log, as pythonw has no console.
        bool,
        typer.Option("--at-logon", hidden=True),
    ] = False,
) -> None:
    """Serve credentials to AWS SDKs at http://127.0.0.1:PORT/account/ACCOUNT/role/ROLE.

    Apps given AWS_CONTAINER_CREDENTIALS_FULL_URI and AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE
    (devcreds write … --via serve) refresh their credentials from here on their own. Files in
    git get only the URL: each developer sets AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE once in
    their environment, to the token file this command names.

    Examples:

    \b
      devcreds serve                             # 127.0.0.1:9155 until Ctrl-C
      devcreds serve --install                   # at every login (systemd, launchd, Run key)
    """
    if not server.is_loopback(host) and not allow_non_loopback:
        raise UsageError(
            f"{host} is not a loopback address; other machines could ask for credentials",
            hint="devcreds serve --host 127.0.0.1, or add --allow-non-loopback if you mean it",
        )
    ctx = Context.from_process(None)
    if at_logon:
        # The log first: pythonw has no stdout or stderr, even for an error about logon.json.
        sys.stdout = sys.stderr = install.open_log(ctx.paths)
        logon = install.read_logon(ctx.paths)
        os.environ.update(logon.environment)  # as the Linux and macOS units set them
        port = logon.port
        ctx = Context.from_process(None)
    if install_service or uninstall_service:
        _service(ctx, port, install_service)
        return

    def fetch(wanted: Address, outlive: dt.datetime | None) -> RoleCredentials:
        # A context per fetch: a profile or session added while serve runs is found.
        if wanted.profile is not None:
            return Context(os.environ, wanted.profile).profile_credentials(outlive)
        fresh = Context(os.environ, None)
        return roles.role_credentials(fresh.config, fresh.resolver, wanted, outlive)

    running_server = server.start(ctx.paths, fetch, _log, host, port)
    stop = running.stop_on_signals()
    if not server.is_loopback(host):
        render.warning(f"serving beyond this machine on {host}: anyone with the token can ask")
    example = Address(account_id="ACCOUNT", role_name="ROLE")
    url = address.url(example, running_server.port, host)
    # The contract: the first stdout line says where we are, for scripts to read.
    print(f"listening on {url.removesuffix(example.path)}", flush=True)
    render.stderr.print(
        f"serving credentials at {url} (and /profile/PROFILE)\n"
        f"token file: {state.token_file(ctx.paths)}\n"
        "point an app here: devcreds write launchsettings|vscode|dotenv --via serve; "
        "Ctrl-C stops",
        markup=False,
        highlight=False,
    )
    running.serve_until(running_server, stop, "devcreds-serve")
    render.stderr.print("stopped", markup=False)


def _service(ctx: Context, port: int, install_it: bool) -> None:
    if install_it:
        state.ensure_token(ctx.paths)
        done = install.install(ctx.paths, ctx.environ, port or state.DEFAULT_PORT, ctx.platform)
    else:
        done = install.uninstall(ctx.paths, ctx.environ, ctx.platform)
    what = f" ({done.path})" if done.path else ""
    if done.enabled:
        verb = "installed and started" if install_it else "stopped and removed"
        render.stderr.print(f"devcreds serve: {verb}{what}", markup=False)
    elif install_it:
        render.stderr.print(
            f"wrote the service{what}; the service manager did not take it. Run:\n  {done.todo}",
            markup=False,
        )
    else:
        removed = "removed" if done.removed else "no service file"
        render.stderr.print(
            f"{removed}{what}; if a service still runs, stop it: {done.todo}", markup=False
        )
    if install_it and ctx.platform.windows:
        render.stderr.print(f"its output: {install.log_file(ctx.paths)}", markup=False)
    if install_it:
        token = state.token_file(ctx.paths)
        variable = state.TOKEN_FILE_VARIABLE
        quoted = str(token).replace("'", "''")  # PowerShell's single quotes
        render.stderr.print(
            f"token file: {token}\n"
            f"name it once in your environment, for the apps your IDE starts "
            "(then restart Visual Studio, Rider or VS Code):\n"
            f"  bash/zsh, in ~/.profile: export {variable}={shlex.quote(str(token))}\n"
            f"  PowerShell: [Environment]::SetEnvironmentVariable('{variable}', "
            f"'{quoted}', 'User')",
            markup=False,
            highlight=False,
        )


def _log(line: str) -> None:
    stamp = dt.datetime.now().astimezone().strftime("%H:%M:%S")
    print(f"{stamp} {line}", file=sys.stderr, flush=True)
