"""HTTP transport for the emulator, on the standard library's threading HTTP server.

``http.server`` keeps header names exactly as sent, so the SSO portal's
``x-amz-sso_bearer_token`` reaches us; Werkzeug's dev server, gunicorn and
nginx drop headers with underscores (docs/protocol.md §0). It is also enough for
a loopback test service and adds no dependency.
"""

from __future__ import annotations

import contextlib
import email.utils
import re
import socket
import ssl
import sys
import threading
import time
import traceback
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from devcreds.emulator.app import Emulator
from devcreds.emulator.wire import Request, Response, json_response

_MAX_BODY = 1 << 20
_LENGTH = re.compile(r"[0-9]{1,8}")  # ASCII digits: str.isdigit() also takes "²"
_HOST_HEADER = re.compile(r"^[A-Za-z0-9.\-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$")


class EmulatorServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, emulator: Emulator, host: str, port: int) -> None:
        self.address_family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.emulator = emulator
        config = emulator.config
        self.tls: ssl.SSLContext | None = None
        if config.tls_cert is not None and config.tls_key is not None:
            self.tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            self.tls.load_cert_chain(config.tls_cert, config.tls_key)
        super().__init__((host, port), _Handler)

    def finish_request(self, request: Any, client_address: Any) -> None:
        """On the connection's own thread: with a certificate, a connection that opens with a
        TLS handshake record is served over TLS, any other as plain HTTP, on the same port."""
        if self.tls is None:
            super().finish_request(request, client_address)
            return
        request.settimeout(_Handler.timeout)
        try:
            if request.recv(1, socket.MSG_PEEK) != b"\x16":  # not a TLS handshake record
                super().finish_request(request, client_address)
                return
            wrapped = self.tls.wrap_socket(request, server_side=True)
        except OSError:  # ssl.SSLError too: a client that refused our certificate, or left
            return
        try:
            super().finish_request(wrapped, client_address)
        finally:
            wrapped.close()

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError | ssl.SSLError):
            return  # the client hung up: nothing to report
        super().handle_error(request, client_address)

    @property
    def url(self) -> str:
        host, port = str(self.server_address[0]), self.server_address[1]
        shown = f"[{host}]" if self.address_family == socket.AF_INET6 else host
        return f"http://{shown}:{port}"

    @property
    def tls_url(self) -> str | None:
        """The same port over HTTPS, when the emulator has a certificate."""
        return None if self.tls is None else "https" + self.url.removeprefix("http")


class _Handler(BaseHTTPRequestHandler):
    server: EmulatorServer
    protocol_version = "HTTP/1.1"
    server_version = "devcreds-emulator"
    # Seconds a client may stall while sending a request (or idle between requests)
    # before its connection goes: a body shorter than its Content-Length cannot hold a
    # thread forever. Sleeping for --latency-ms is not socket time and does not count.
    timeout = 60
    # Headers and body go out in two writes; with Nagle's algorithm the body waits for the
    # client's delayed ACK (40 ms on Linux) on every kept-alive call.
    disable_nagle_algorithm = True

    def date_time_string(self, timestamp: float | None = None) -> str:
        """The Date header, ``clock_skew`` seconds off the real time: a server whose clock
        disagrees with the client's, for devcreds doctor to notice."""
        now = time.time() if timestamp is None else timestamp
        return email.utils.formatdate(now + self.server.emulator.config.clock_skew, usegmt=True)

    def do_GET(self) -> None:
        self._dispatch()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_GET

    def log_message(self, format: str, *args: Any) -> None:
        pass  # quiet: request lines would carry codes and tokens in query strings

    def _dispatch(self) -> None:
        try:
            parts = urlsplit(self.path)
        except ValueError:  # "POST http://[::1/ HTTP/1.1"
            self._refuse("", "The request target is not a URL.")
            return
        problem, length = self._body_length()
        if problem:
            self._refuse(parts.path, problem)
            return
        body = self.rfile.read(length)
        if len(body) < length:
            self._refuse(parts.path, "The body is shorter than its Content-Length.")
            return
        host = self.headers.get("Host", "")
        request = Request(
            method=self.command,
            path=parts.path,
            query=parse_qs(parts.query, keep_blank_values=True),
            headers={name.lower(): value for name, value in self.headers.items()},
            body=body,
            base_url=self._base_url(host),
        )
        try:
            response = self.server.emulator.respond(request)
            if response is not None and not _sendable(response):
                raise ValueError("a response header would break the HTTP framing")
        except Exception:  # a bug of ours: answer 500 rather than leave the client hanging
            traceback.print_exc(file=sys.stderr)
            response = json_response({"message": "Emulator bug; see its stderr."}, 500)
        if response is None:
            self.close_connection = True  # injected fault: close without answering
            return
        self._send(response)

    def _base_url(self, host: str) -> str:
        scheme = "https" if isinstance(self.connection, ssl.SSLSocket) else "http"
        if _HOST_HEADER.match(host):
            return f"{scheme}://{host}"
        if scheme == "https" and self.server.tls_url is not None:
            return self.server.tls_url
        return self.server.url

    def _body_length(self) -> tuple[str | None, int]:
        """(what is wrong with the request's framing, or None; the body's length)."""
        if "Transfer-Encoding" in self.headers:
            return "Transfer-Encoding is not supported; send Content-Length.", 0
        lengths = {value.strip() for value in self.headers.get_all("Content-Length", [])}
        if len(lengths) > 1:
            return "Conflicting Content-Length headers.", 0
        length = lengths.pop() if lengths else "0"  # no Content-Length: no body (RFC 9112)
        if not _LENGTH.fullmatch(length) or int(length) > _MAX_BODY:
            return "Bad or too large Content-Length.", 0
        return None, int(length)

    def _refuse(self, path: str, message: str) -> None:
        """A 400 in the error shape of the service at ``path``; the connection then closes,
        since where this request ends in the byte stream is unknown."""
        response = self.server.emulator.malformed(self.command, path, message)
        response.headers["Connection"] = "close"  # send_header sets close_connection too
        self._send(response)

    def _send(self, response: Response) -> None:
        self.send_response(response.status)
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)


def _sendable(response: Response) -> bool:
    """Every header value is Latin-1 without CR or LF: http.server writes them as they are."""
    for value in response.headers.values():
        if "\r" in value or "\n" in value:
            return False
        try:
            value.encode("latin-1")
        except UnicodeEncodeError:
            return False
    return True


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
