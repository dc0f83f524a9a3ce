"""HTTP transport for the emulator, on the standard library's threading HTTP server.

``http.server`` keeps header names exactly as sent, so the SSO portal's
``x-amz-sso_bearer_token`` reaches us; Werkzeug's dev server, gunicorn and
nginx drop headers with underscores (PROTOCOL.md §0). It is also enough for
a loopback test service and adds no dependency.
"""

from __future__ import annotations

import contextlib
import re
import socket
import sys
import threading
import traceback
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from devcreds.emulator.app import Emulator
from devcreds.emulator.wire import Request, Response, json_response

_MAX_BODY = 1 << 20
_HOST_HEADER = re.compile(r"^[A-Za-z0-9.\-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$")


class EmulatorServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, emulator: Emulator, host: str, port: int) -> None:
        self.address_family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.emulator = emulator
        super().__init__((host, port), _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError):
            return  # the client hung up: nothing to report
        super().handle_error(request, client_address)

    @property
    def url(self) -> str:
        host, port = str(self.server_address[0]), self.server_address[1]
        shown = f"[{host}]" if self.address_family == socket.AF_INET6 else host
        return f"http://{shown}:{port}"


class _Handler(BaseHTTPRequestHandler):
    server: EmulatorServer
    protocol_version = "HTTP/1.1"
    server_version = "devcreds-emulator"

    def do_GET(self) -> None:
        self._dispatch()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_GET

    def log_message(self, format: str, *args: Any) -> None:
        pass  # quiet: request lines would carry codes and tokens in query strings

    def _dispatch(self) -> None:
        length = self.headers.get("Content-Length", "0")
        if not length.isdigit() or int(length) > _MAX_BODY:
            self.close_connection = True
            self._send(json_response({"message": "Bad or too large Content-Length."}, 400))
            return
        body = self.rfile.read(int(length))
        parts = urlsplit(self.path)
        host = self.headers.get("Host", "")
        request = Request(
            method=self.command,
            path=parts.path,
            query=parse_qs(parts.query, keep_blank_values=True),
            headers={name.lower(): value for name, value in self.headers.items()},
            body=body,
            base_url=f"http://{host}" if _HOST_HEADER.match(host) else self.server.url,
        )
        try:
            response = self.server.emulator.respond(request)
        except Exception:  # a bug of ours: answer 500 rather than leave the client hanging
            traceback.print_exc(file=sys.stderr)
            response = json_response({"message": "Emulator bug; see its stderr."}, 500)
        if response is None:
            self.close_connection = True  # injected fault: close without answering
            return
        self._send(response)

    def _send(self, response: Response) -> None:
        self.send_response(response.status)
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)


@contextlib.contextmanager
def running(
    emulator: Emulator, host: str | None = None, port: int | None = None
) -> Iterator[EmulatorServer]:
    """Serve ``emulator`` on a background thread for the duration of the ``with`` block."""
    server = EmulatorServer(
        emulator,
        emulator.config.host if host is None else host,
        emulator.config.port if port is None else port,
    )
    thread = threading.Thread(
        target=server.serve_forever, args=(0.05,), name="devcreds-emulator", daemon=True
    )
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
