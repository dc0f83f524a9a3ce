"""``devcreds watch``: keep every file devcreds wrote fresh, until stopped."""

from __future__ import annotations

import contextlib
import datetime as dt
import select
import shutil
import signal
import socket
import subprocess
from collections.abc import Callable
from types import FrameType
from typing import Annotated, Any

import typer

from devcreds import awsconfig, keepfresh
from devcreds.awsconfig import AwsConfig
from devcreds.cache import RoleCredentials
from devcreds.cli import render
from devcreds.cli.context import Context
from devcreds.cli.options import AllowTracked
from devcreds.errors import LoginRequired
from devcreds.keepfresh import FileResult
from devcreds.platforms import HOST, Platform

INTERRUPTED = 130  # Ctrl-C, as everywhere in the CLI


def watch(
    once: Annotated[
        bool, typer.Option("--once", help="Run one cycle and exit (for cron and scripts).")
    ] = False,
    allow_tracked: AllowTracked = False,
) -> None:
    """Rewrite each file devcreds wrote ahead of its expiry; never logs in, says when to.

    Examples:

    \b
      devcreds watch                             # until Ctrl-C
      nohup devcreds watch >~/.aws/devcreds/watch.log 2>&1 &        # in the background
      Start-Process devcreds watch -WindowStyle Hidden `
        -RedirectStandardError "$HOME/.aws/devcreds/watch.log"       # the same, PowerShell
    """
    ctx = Context.from_process(None)
    lines = _Lines(ctx.clock)

    def config() -> AwsConfig:
        return awsconfig.load(ctx.paths.config_file, credentials_file=ctx.paths.credentials_file)

    def fetch(profile: str, outlive: dt.datetime | None) -> RoleCredentials:
        # A context per fetch: the config as it is now. Never a login, whoever is watching.
        return Context(ctx.environ, profile, ctx.clock).profile_credentials(outlive)

    with _Stop() as stop:
        flow = keepfresh.Watch(
            ctx.paths, config, fetch, ctx.clock, stop.sleep, lines, allow_tracked=allow_tracked
        )
        if once:
            error = keepfresh.summary(flow.cycle().results)
            if error is not None:
                raise error
            return
        flow.run(stop.requested)
    lines.say("stopped")
    if stop.signum == signal.SIGINT:
        raise typer.Exit(INTERRUPTED)


class _Lines:
    """The watch's log: a line per action on stderr, with the time; never a secret."""

    def __init__(self, clock: Callable[[], dt.datetime]) -> None:
        self._clock = clock

    def say(self, text: str) -> None:
        stamp = self._clock().astimezone().strftime("%H:%M:%S")
        render.stderr.print(f"{stamp} {text}", markup=False)

    def watching(self, files: int, next_at: dt.datetime | None) -> None:
        if files == 0:
            self.say("no files to watch yet; files devcreds writes from now on are picked up")
            return
        plural = "file" if files == 1 else "files"
        upcoming = f"; the next refresh is due at {_when(next_at)}" if next_at else ""
        self.say(f"watching {files} {plural}{upcoming}")

    def file(self, result: FileResult, retry_at: dt.datetime | None) -> None:
        if result.error is not None:
            hint = f" ({result.error.hint})" if result.error.hint else ""
            again = f"; trying again at {_when(retry_at)}" if retry_at else ""
            self.say(f"could not refresh {result.path}: {result.error.message}{hint}{again}")
        elif result.status in ("updated", "unchanged") and result.expires_at is not None:
            upcoming = f", next at {_when(result.refresh_at)}" if result.refresh_at else ""
            again = f"; trying again at {_when(retry_at)}" if retry_at else ""
            self.say(
                f"{result.status} {result.path} (profile {result.profile}, "
                f"until {_when(result.expires_at)}{upcoming}){again}"
            )
        else:
            self.say(result.note or f"{result.status}: {result.path}")

    def login_needed(self, error: LoginRequired) -> None:
        self.say(f"{error.message}: only a login helps; run {error.hint or 'devcreds login'}")
        self.say("watch keeps running and carries on by itself once you have logged in")
        _notify(f"{error.message}. Run: {error.hint or 'devcreds login'}")

    def login_found(self, session: str) -> None:
        self.say(f"found a new login for {session}; carrying on")

    def warning(self, text: str) -> None:
        self.say(f"warning: {text}")


def _when(moment: dt.datetime | None) -> str:
    return moment.astimezone().strftime("%H:%M:%S") if moment is not None else "-"


def notification(text: str, platform: Platform = HOST) -> list[str]:
    """The command that shows ``text`` as a desktop notification on ``platform``: osascript
    on macOS, notify-send elsewhere (Windows has neither, and goes without)."""
    if platform.macos:
        quoted = text.replace("\\", "\\\\").replace('"', '\\"')
        return ["osascript", "-e", f'display notification "{quoted}" with title "devcreds"']
    return ["notify-send", "--app-name=devcreds", "devcreds", text]


def _notify(text: str) -> None:
    """A desktop notification where the desktop has a way to show one; nothing otherwise."""
    command = notification(text)
    tool = shutil.which(command[0])
    if tool is None:
        return
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        subprocess.run(
            [tool, *command[1:]],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=5,
            check=False,
        )


class _Stop:
    """SIGTERM and SIGINT ask the watch to stop: a file being written is finished first, and a
    sleep ends at once (the signal wakes it through a socket, so none is missed between the
    check and the sleep). A second Ctrl-C interrupts whatever is going on, as elsewhere."""

    def __init__(self) -> None:
        self.signum: int | None = None
        self._reader, self._writer = socket.socketpair()
        self._previous: dict[int, Any] = {}
        self._wakeup = -1

    def __enter__(self) -> _Stop:
        for sock in (self._reader, self._writer):
            sock.setblocking(False)
        self._wakeup = signal.set_wakeup_fd(self._writer.fileno())
        for signum in (signal.SIGTERM, signal.SIGINT):
            self._previous[signum] = signal.signal(signum, self._handle)
        return self

    def __exit__(self, *exc: object) -> None:
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)
        signal.set_wakeup_fd(self._wakeup)
        self._reader.close()
        self._writer.close()

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        previous = self._previous.get(signum)
        if self.signum is not None and signum == signal.SIGINT and callable(previous):
            previous(signum, frame)  # the CLI's own Ctrl-C: exit 130 now
        if self.signum is None:
            self.signum = signum

    def requested(self) -> bool:
        return self.signum is not None

    def sleep(self, seconds: float) -> None:
        if self.signum is None:
            select.select([self._reader], [], [], seconds)
        with contextlib.suppress(BlockingIOError, InterruptedError):
            while self._reader.recv(64):
                pass
