"""``devcreds emulator``: run the local IAM Identity Center until SIGINT or SIGTERM."""

from __future__ import annotations

import ipaddress
import threading
from typing import Annotated

import typer

from devcreds.cli import render, running
from devcreds.emulator import Emulator, EmulatorConfig, EmulatorServer
from devcreds.errors import NetworkError


def emulator(
    host: Annotated[str, typer.Option(metavar="HOST", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[
        int, typer.Option(metavar="PORT", min=0, max=65535, help="Port; 0 picks a free one.")
    ] = 0,
    accounts: Annotated[
        int, typer.Option(metavar="N", min=1, max=10000, help="Number of accounts.")
    ] = 3,
    roles_per_account: Annotated[int, typer.Option(metavar="N", min=1, max=100)] = 2,
    auto_approve: Annotated[
        bool, typer.Option(help="Approve every device code and sign-in at once.")
    ] = False,
    latency_ms: Annotated[
        int, typer.Option(metavar="MS", min=0, help="Delay before each AWS answer.")
    ] = 0,
    throttle_rps: Annotated[
        float,
        typer.Option(
            metavar="RATE",
            min=0,
            help="Throttle past this many calls per second, as each service answers it (the "
            "portal 429, SSO OIDC SlowDownException, STS Throttling; 0: off).",
        ),
    ] = 0.0,
    fault_rate: Annotated[
        float,
        typer.Option(
            metavar="SHARE",
            min=0,
            max=1,
            help="Share of calls that fail: a 500 or a dropped connection.",
        ),
    ] = 0.0,
    seed: Annotated[
        int | None, typer.Option(metavar="N", help="Seed for repeatable faults.")
    ] = None,
    token_ttl: Annotated[
        int, typer.Option(metavar="SECONDS", min=1, help="Access token lifetime, seconds.")
    ] = 3600,
    credentials_ttl: Annotated[
        int, typer.Option(metavar="SECONDS", min=1, help="Role credential lifetime, seconds.")
    ] = 3600,
    device_code_ttl: Annotated[
        int,
        typer.Option(
            metavar="SECONDS", min=1, help="Device and authorization code lifetime, seconds."
        ),
    ] = 600,
    interval: Annotated[
        int, typer.Option(metavar="SECONDS", min=0, help="Device-code poll interval, seconds.")
    ] = 1,
    clock_skew: Annotated[
        float,
        typer.Option(
            metavar="SECONDS",
            help="Date headers this far ahead of the real time (negative: behind), for "
            "devcreds doctor's clock check.",
        ),
    ] = 0.0,
    session_ttl: Annotated[
        int,
        typer.Option(
            metavar="SECONDS", min=1, help="Portal session (refresh token) lifetime, seconds."
        ),
    ] = 8 * 3600,
) -> None:
    """Run a local IAM Identity Center (SSO OIDC, SSO portal, STS) for offline testing.

    Examples:

    \b
      devcreds emulator --port 9200 --auto-approve
      devcreds emulator --accounts 300 --latency-ms 40 --throttle-rps 20
    """
    config = EmulatorConfig(
        host=host,
        port=port,
        accounts=accounts,
        roles_per_account=roles_per_account,
        auto_approve=auto_approve,
        latency_ms=latency_ms,
        throttle_rps=throttle_rps,
        fault_rate=fault_rate,
        seed=seed,
        clock_skew=clock_skew,
        token_ttl=token_ttl,
        credentials_ttl=credentials_ttl,
        device_code_ttl=device_code_ttl,
        interval=interval,
        session_ttl=session_ttl,
    )
    try:
        server = EmulatorServer(Emulator(config), host, port)
    except (OSError, OverflowError) as exc:
        raise NetworkError(
            f"cannot listen on {host}:{port}: {getattr(exc, 'strerror', None) or exc}",
            hint="devcreds emulator --port 0 (picks a free port)",
        ) from None
    stop = running.stop_on_signals()  # before the first line: a script may signal right after it
    # The contract: the first stdout line says where we are, for scripts to read.
    print(f"listening on {server.url}", flush=True)
    if not _is_loopback(host):
        render.stderr.print("warning: listening beyond this machine; anyone can sign in.")
    render.stderr.print(
        f"point AWS clients here: export AWS_ENDPOINT_URL={server.url}\n"
        f"approve device codes at {server.url}/device; Ctrl-C stops"
    )
    _serve_until(server, stop)


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def _serve_until(server: EmulatorServer, stop: threading.Event) -> None:
    running.serve_until(server, stop, "emulator")
    render.stderr.print("stopped")
