"""Running a server until SIGINT or SIGTERM: for the commands that serve (emulator, serve)."""

from __future__ import annotations

import signal
import threading
from types import FrameType
from typing import Protocol


class Serving(Protocol):
    def serve_forever(self, poll_interval: float = ...) -> None: ...
    def shutdown(self) -> None: ...
    def server_close(self) -> None: ...


def stop_on_signals() -> threading.Event:
    """An event set by SIGINT or SIGTERM; install it before telling anyone where we listen."""
    stop = threading.Event()

    def _stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, _stop)
    return stop


def serve_until(server: Serving, stop: threading.Event, name: str) -> None:
    thread = threading.Thread(target=server.serve_forever, name=name, daemon=True)
    thread.start()
    while not stop.wait(1.0):  # a timed wait, so Windows delivers Ctrl-C too
        pass
    server.shutdown()
    server.server_close()
