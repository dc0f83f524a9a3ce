"""Fixtures of the browser harness: a loopback listener standing in for a client's callback."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest


@dataclass
class Callback:
    port: int
    received: list[dict[str, str]] = field(default_factory=list)

    @property
    def redirect_uri(self) -> str:
        return f"http://127.0.0.1:{self.port}/oauth/callback"


@pytest.fixture
def callback():
    """A listener on 127.0.0.1 that records each callback's query and answers 'Signed in'."""
    holder: list[Callback] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            query = parse_qs(urlsplit(self.path).query)
            holder[0].received.append({k: v[0] for k, v in query.items()})
            body = b"<!DOCTYPE html><title>Signed in</title><p>You can close this tab.</p>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    holder.append(Callback(server.server_address[1]))
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield holder[0]
    server.shutdown()
    server.server_close()
