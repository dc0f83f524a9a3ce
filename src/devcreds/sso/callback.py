"""The one-shot loopback listener that receives the browser's redirect (RFC 8252 §7.3).

Bound to 127.0.0.1 only (the AWS CLI binds every interface), before the
browser opens. It answers every request, and ends at the first request to
``/oauth/callback`` that carries the login's ``state``: with a code, or with
the error the service sent. A request with another state (a stale tab, a page
trying its luck) is refused with a page saying so, and the wait goes on; so is
anything else. Each request gets a page; the query (it holds the code) is
never logged.
"""

from __future__ import annotations

import contextlib
import errno
import socketserver
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from devcreds import platforms
from devcreds.errors import NetworkError
from devcreds.sso.pkce import CALLBACK_PATH

HOST = "127.0.0.1"
REQUEST_TIMEOUT = 10.0  # seconds a connection may take to send its request (the CLI's)


@dataclass(frozen=True)
class Redirect:
    """What the browser brought back: a code, or the service's error."""

    code: str | None = field(default=None, repr=False)
    error: str | None = None
    error_description: str | None = None


class Listener:
    """A running listener; ``wait`` returns the redirect once it has arrived."""

    def __init__(self, server: ThreadingHTTPServer, done: threading.Event) -> None:
        self._server = server
        self._done = done
        self.result: Redirect | None = None

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def wait(self, seconds: float) -> Redirect | None:
        """The redirect, or None if none arrived within ``seconds``."""
        self._done.wait(max(0.0, seconds))
        return self.result


@contextlib.contextmanager
def listening(state_matches: Callable[[str], bool], port: int, hint: str) -> Iterator[Listener]:
    """Listen on 127.0.0.1:``port`` (0: any free port) until the block ends."""
    done = threading.Event()
    listener: Listener | None = None

    def finish(result: Redirect) -> None:
        assert listener is not None
        if listener.result is None:
            listener.result = result
            done.set()

    handler = _handler(state_matches, finish, done)
    try:
        server = _Server((HOST, port), handler)
    except OSError as exc:
        where = f"{HOST}:{port}" if port else HOST
        if exc.errno == errno.EADDRINUSE:
            raise NetworkError(
                f"cannot listen on {where} for the browser's sign-in redirect: the port is in use",
                hint=f"free port {port} or pick another with --callback-port N; "
                f"or sign in with a code instead: {hint} --use-device-code",
            ) from None
        raise NetworkError(
            f"cannot listen on {where} for the browser's sign-in redirect: {exc.strerror or exc}",
            hint=f"pick another port with --callback-port N, or {hint} --use-device-code",
        ) from None
    listener = Listener(server, done)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True
    )
    thread.start()
    try:
        yield listener
    finally:
        server.shutdown()
        server.server_close()  # stops listening: nothing more reaches this port


class _Server(ThreadingHTTPServer):
    daemon_threads = True  # a browser's idle preconnect never keeps the process alive
    # A fixed --callback-port must be free again at once after a login (its closed
    # connections linger in TIME_WAIT). On POSIX SO_REUSEADDR still refuses a port another
    # socket listens on; on Windows it would let us share one, so it stays off there.
    allow_reuse_address = not platforms.HOST.windows

    def server_bind(self) -> None:
        # HTTPServer.server_bind looks our own name up (getfqdn): a DNS wait for nothing.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = HOST, int(self.server_address[1])


def _handler(
    state_matches: Callable[[str], bool],
    finish: Callable[[Redirect], None],
    done: threading.Event,
) -> type[BaseHTTPRequestHandler]:
    class CallbackHandler(BaseHTTPRequestHandler):
        timeout = REQUEST_TIMEOUT
        server_version = "devcreds"
        sys_version = ""

        def log_message(self, format: str, *args: Any) -> None:
            pass  # the request line carries the code: never logged

        def do_GET(self) -> None:
            url = urlsplit(self.path)
            if url.path != CALLBACK_PATH:
                self._page(404, "Not found", "This is devcreds' sign-in listener.")
                return
            query = {name: values[0] for name, values in parse_qs(url.query).items()}
            state = query.get("state", "")
            if done.is_set() or not state or not state_matches(state):
                self._page(
                    400,
                    "Not this sign-in",
                    "This sign-in does not belong to the login devcreds is waiting for "
                    "(an old tab, or a link from elsewhere). It was ignored; nothing "
                    "was signed in.",
                )
                return
            if "error" in query:
                error = _printable(query["error"])
                description = _printable(query.get("error_description", ""))
                if error == "access_denied":
                    self._page(
                        200,
                        "Sign-in denied",
                        "You denied the request; devcreds did not log in. You can close this tab.",
                    )
                else:
                    self._page(
                        200,
                        "Sign-in failed",
                        f"The sign-in did not complete ({error}: {description}). "
                        "The terminal says what to do next. You can close this tab.",
                    )
                finish(Redirect(error=error, error_description=description or None))
                return
            code = query.get("code")
            if not code:
                self._page(400, "No code", "The redirect carried no authorization code.")
                return
            self._page(
                200,
                "Signed in",
                "devcreds has what it needs. You can close this tab and go back to the terminal.",
            )
            finish(Redirect(code=code))

        def _page(self, status: int, title: str, text: str) -> None:
            body = (
                '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
                f"<title>{escape(title)} - devcreds</title></head>"
                '<body style="font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto">'
                f'<h1 id="result">{escape(title)}</h1><p>{escape(text)}</p></body></html>'
            ).encode()
            self.send_response(status)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.send_header("Referrer-Policy", "no-referrer")
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(body)
            self.wfile.flush()
            self.close_connection = True

    return CallbackHandler


def _printable(text: str, limit: int = 200) -> str:
    """A value from the URL, safe to show: printable ASCII, cut to ``limit``."""
    return "".join(c if " " <= c <= "~" else "?" for c in text[:limit])
