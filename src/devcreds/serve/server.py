"""The container-credentials endpoint: ``GET /account/ID/role/ROLE`` (or ``/profile/NAME``)
with the token, on loopback.

The standard library's threading HTTP server: a request is a dictionary
lookup and a small JSON answer made once per set of credentials, which it
serves at thousands per second on loopback (``python3 dev.py bench --only
serve`` sets it beside a bare baseline); SDKs ask once per credentials'
lifetime, so an asyncio stack would add a dependency and buy nothing here.

Every request must name the loopback address and port in ``Host`` (a web page
cannot reach us by DNS rebinding) and carry the token in ``Authorization``,
compared in constant time. Errors are JSON with a status the SDKs log:
401/403 for the token, 404 for an unknown profile, 503 with a ``hint`` when
only ``devcreds login`` can help.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import hmac
import http.server
import ipaddress
import json
import socket
import socketserver
import sys
import threading
import time
import urllib.parse
from typing import Any

from devcreds import platforms
from devcreds.cache import RoleCredentials
from devcreds.errors import (
    Ambiguous,
    AwsRefused,
    DevcredsError,
    LoginRequired,
    NetworkError,
    UsageError,
)
from devcreds.paths import Paths
from devcreds.serve import address, state
from devcreds.serve.address import Address
from devcreds.serve.supply import Fetch, Log, Supply

# A slow or silent client gives up its connection (and thread) after this long.
CLIENT_TIMEOUT = 10.0
# Connections served at once; more are closed at once (a runaway client cannot exhaust us).
MAX_CONNECTIONS = 256
# How often the background renewer looks (bounded, so a suspend or a clock jump is noticed).
RENEW_EVERY = 30.0
_STATUS = [
    (LoginRequired, 503),
    (Ambiguous, 409),
    (UsageError, 404),
    (AwsRefused, 502),
    (NetworkError, 504),
]


def is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def body(creds: RoleCredentials) -> dict[str, str]:
    """The fields the SDKs parse (botocore, the JS and .NET SDKs): ``Token``, not
    ``SessionToken``; ``Expiration`` as ISO 8601 in UTC; ``AccountId`` where known."""
    answer = {
        "Code": "Success",  # older AWS SDKs for .NET check it
        "AccessKeyId": creds.access_key_id,
        "SecretAccessKey": creds.secret_access_key,
        "Token": creds.session_token,
        "Expiration": creds.expiration.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    if creds.account_id:
        answer["AccountId"] = creds.account_id
    return answer


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128
    # SO_REUSEADDR on Windows lets a second process take the port: only where it is safe.
    allow_reuse_address = not platforms.HOST.windows

    def __init__(
        self,
        host: str,
        port: int,
        token: str,
        supply: Supply,
        log: Log,
        token_file: str = "",
        client_timeout: float = CLIENT_TIMEOUT,
    ) -> None:
        self.client_timeout = client_timeout
        # Connection -> since when it waits for its client (None: we are answering it).
        self.waiting: dict[socket.socket, float | None] = {}
        self.token = token.encode("ascii")
        self.token_file = token_file  # named in the hint of a request without the token
        self.supply = supply
        self.log = log
        self.slots = threading.BoundedSemaphore(MAX_CONNECTIONS)
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.address_family = family
        super().__init__((host, port), Handler)
        bound_port = self.server_address[1]
        shown = f"[{host}]" if family == socket.AF_INET6 else host
        # What Host may say: the address or localhost, with the port (browsers send it).
        self.hosts = {f"{shown}:{bound_port}", f"localhost:{bound_port}"}
        if bound_port == 80:  # clients leave out the default port
            self.hosts |= {shown, "localhost"}
        self.port = bound_port
        self.stopping = threading.Event()
        self._answers: dict[Address, tuple[RoleCredentials, bytes]] = {}

    def encoded(self, wanted: Address, creds: RoleCredentials) -> bytes:
        """The answer's bytes, made once per set of credentials (the hot path of a busy app)."""
        known = self._answers.get(wanted)
        if known is not None and known[0] is creds:
            return known[1]
        data = json.dumps(body(creds)).encode()
        self._answers[wanted] = (creds, data)  # one assignment: safe across threads
        return data

    def server_bind(self) -> None:
        # HTTPServer's own looks the address up in DNS (getfqdn): nothing to ask anyone.
        socketserver.TCPServer.server_bind(self)
        self.server_name = str(self.server_address[0])
        self.server_port = int(self.server_address[1])

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client gone mid-answer (or a bug): one line, never a traceback."""
        kind = sys.exc_info()[0]
        self.log(f"lost a request from {client_address[0]}: {kind.__name__ if kind else '?'}")

    def process_request(self, request: Any, client_address: Any) -> None:
        if not self.slots.acquire(blocking=False):
            self.log(f"refused a connection from {client_address[0]}: too many at once")
            self.shutdown_request(request)
            return
        super().process_request(request, client_address)

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self.slots.release()

    def close_idle_in_background(self) -> threading.Thread:
        """Close connections whose client has sent nothing for ``client_timeout`` seconds.

        Instead of a socket time-out: with one, every read polls first, and serve answered
        0.4x the requests of a bare server (bench/serve.py); without, 1.0x."""

        def loop() -> None:
            while not self.stopping.wait(min(1.0, self.client_timeout / 2)):
                now = time.monotonic()
                for connection, since in list(self.waiting.items()):
                    if since is not None and now - since > self.client_timeout:
                        with contextlib.suppress(OSError):
                            connection.shutdown(socket.SHUT_RDWR)

        thread = threading.Thread(target=loop, name="devcreds-idle", daemon=True)
        thread.start()
        return thread

    def renew_in_background(self) -> threading.Thread:
        def loop() -> None:
            while not self.stopping.wait(RENEW_EVERY):
                self.supply.renew_due(dt.timedelta(seconds=RENEW_EVERY * 2))

        thread = threading.Thread(target=loop, name="devcreds-renew", daemon=True)
        thread.start()
        return thread

    def shutdown(self) -> None:
        """Stop serving and renewing (from any thread but the serving one)."""
        self.stopping.set()
        super().shutdown()


class Handler(http.server.BaseHTTPRequestHandler):
    server: Server
    protocol_version = "HTTP/1.1"  # keep-alive: SDK clients reuse their connection
    default_request_version = "HTTP/1.0"  # a garbled request gets a status line, not 0.9
    # Headers and body go out as two writes: with Nagle's algorithm the body would wait for
    # the client's delayed ACK of the headers (40 ms on Linux, measured by bench/serve.py).
    disable_nagle_algorithm = True
    timeout = None  # slow and silent clients: Server.close_idle_in_background

    def setup(self) -> None:
        super().setup()
        self.server.waiting[self.connection] = time.monotonic()

    def handle_one_request(self) -> None:
        self.server.waiting[self.connection] = time.monotonic()  # for the next request
        super().handle_one_request()

    def finish(self) -> None:
        self.server.waiting.pop(self.connection, None)
        super().finish()

    server_version = "devcreds"
    sys_version = ""

    def do_GET(self) -> None:
        self.server.waiting[self.connection] = None  # answering: a renewal may take a while
        started = time.perf_counter()
        status = self._answer()
        took = (time.perf_counter() - started) * 1000
        shown = self.path if self.path.isascii() and self.path.isprintable() else ""
        shown = (shown or urllib.parse.quote(self.path, safe="/:?=&%@+"))[:200]
        self.server.log(
            f"{self.command} {shown} {status} from {self.client_address[0]} ({took:.1f} ms)"
        )

    def _answer(self) -> int:
        host = self.headers.get("Host", "")
        if host not in self.server.hosts:
            return self._error(403, "WrongHost", "requests must name the loopback address and port")
        given = self.headers.get("Authorization")
        if not given:
            return self._error(
                401,
                "NoToken",
                "no Authorization header",
                f"set AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE={self.server.token_file}",
            )
        if not hmac.compare_digest(given.encode("utf-8", "replace"), self.server.token):
            return self._error(403, "WrongToken", "the authorization token is not serve's")
        path = urllib.parse.urlsplit(self.path).path
        if path == "/ping":
            return self._send(200, state.SERVICE)
        wanted = address.parse(path)
        if wanted is None:
            return self._error(
                404, "NotFound", "ask for /account/ACCOUNT/role/ROLE or /profile/NAME"
            )
        try:
            creds = self.server.supply.get(wanted)
        except DevcredsError as exc:
            status = next((code for kind, code in _STATUS if isinstance(exc, kind)), 500)
            return self._error(status, type(exc).__name__, exc.message, exc.hint)
        except Exception as exc:  # an app waits: an answer, not a dropped connection
            return self._error(500, "InternalError", f"devcreds failed: {type(exc).__name__}")
        return self._send_bytes(200, self.server.encoded(wanted, creds))

    def _error(self, status: int, code: str, message: str, hint: str | None = None) -> int:
        answer = {"code": code, "message": message}
        if hint:
            answer["hint"] = hint
        return self._send(status, answer)

    def _send(self, status: int, answer: object) -> int:
        return self._send_bytes(status, json.dumps(answer).encode())

    def _send_bytes(self, status: int, data: bytes) -> int:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(data)
        return status

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """http.server's own refusals (malformed request, huge headers, other methods) as
        JSON too, and the connection closed."""
        self.close_connection = True
        self._send(code, {"code": str(code), "message": _REASONS.get(code, "refused")})
        self.server.log(f"refused a request from {self.client_address[0]} ({code})")

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """do_GET logs each answer itself, without headers."""

    def log_message(self, format: str, *args: Any) -> None:
        """Nothing of http.server's own: its lines quote what the client sent."""


_REASONS = {
    400: "malformed request",
    405: "only GET",
    408: "too slow",
    414: "request line too long",
    431: "headers too large",
    501: "only GET",
    505: "HTTP version not supported",
}


def start(paths: Paths, fetch: Fetch, log: Log, host: str, port: int) -> Server:
    """A bound server renewing in the background; serve_forever() runs it, stop() ends it."""
    token = state.ensure_token(paths)
    supply = Supply(fetch, lambda: dt.datetime.now(dt.UTC), log)
    try:
        server = Server(host, port, token, supply, log, str(state.token_file(paths)))
    except OSError as exc:
        if exc.errno in (errno.EADDRINUSE, getattr(errno, "WSAEADDRINUSE", -1)):
            if is_loopback(host) and state.probe(paths, port):
                raise NetworkError(
                    f"devcreds serve is already running on {host}:{port}",
                    hint="it serves every profile; stop it first to start another",
                ) from None
            raise NetworkError(
                f"port {port} on {host} is taken by another program",
                hint=f"devcreds serve --port N (and write with --port N); see: lsof -i :{port}",
            ) from None
        raise NetworkError(
            f"cannot listen on {host}:{port}: {exc.strerror or exc}",
            hint="devcreds serve --host 127.0.0.1 --port N",
        ) from None
    server.renew_in_background()
    server.close_idle_in_background()
    return server
