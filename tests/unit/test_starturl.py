"""Vanity start URLs resolved as the AWS CLI v2 does, against a real loopback server."""

from __future__ import annotations

import http.server
import socket
import threading
from typing import ClassVar

import pytest

from devcreds.errors import NetworkError, UsageError
from devcreds.sso import starturl

PORTAL = "https://d-0123456789.awsapps.com/start"


class _Vanity(http.server.BaseHTTPRequestHandler):
    """/to-portal redirects to PORTAL; /head-refused answers 405 to HEAD, redirects GET;
    /elsewhere redirects to a host AWS does not own; /plain answers 200."""

    seen: ClassVar[list[str]] = []

    def _answer(self) -> None:
        self.seen.append(f"{self.command} {self.path}")
        targets = {
            "/to-portal": PORTAL + "/",
            "/regional": "https://ssoins-1.portal.eu-west-1.app.aws/",
            "/elsewhere": "https://login.example.com/start",
        }
        if self.path == "/head-refused" and self.command == "HEAD":
            self.send_response(405)
        elif self.path == "/head-refused":
            self.send_response(302)
            self.send_header("Location", PORTAL)
        elif self.path in targets:
            self.send_response(302)
            self.send_header("Location", targets[self.path])
        else:
            self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_HEAD = do_GET = _answer

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def vanity():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Vanity)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_an_aws_owned_url_is_left_as_it_is():
    """No request at all for an awsapps.com URL; the configured region stays."""
    assert starturl.resolve(PORTAL, "us-east-1") == (PORTAL, "us-east-1")


def test_a_vanity_url_is_followed_to_the_portal(vanity):
    """One HEAD, the redirect's Location, normalized (no trailing slash)."""
    _Vanity.seen.clear()
    assert starturl.resolve(f"{vanity}/to-portal", "us-east-1") == (PORTAL, "us-east-1")
    assert _Vanity.seen == ["HEAD /to-portal"]


def test_get_is_used_where_head_is_refused(vanity):
    """405 to HEAD: the same URL with GET, as the AWS CLI does."""
    _Vanity.seen.clear()
    assert starturl.resolve(f"{vanity}/head-refused", "us-east-1").start_url == PORTAL
    assert _Vanity.seen == ["HEAD /head-refused", "GET /head-refused"]


def test_the_region_in_the_portal_host_wins(vanity):
    """{instance}.portal.{region}.app.aws names the region."""
    resolved = starturl.resolve(f"{vanity}/regional", "us-east-1")
    assert resolved == ("https://ssoins-1.portal.eu-west-1.app.aws", "eu-west-1")


@pytest.mark.parametrize("path", ["/elsewhere", "/plain"])
def test_a_url_that_leads_to_no_aws_portal_is_a_usage_error(vanity, path):
    """A redirect to a host AWS does not own, or no redirect at all: exit 2 naming both."""
    with pytest.raises(UsageError) as caught:
        starturl.resolve(f"{vanity}{path}", "us-east-1")
    assert "is not an AWS access portal" in caught.value.message


def test_plain_http_is_refused_beyond_loopback():
    """http is for a local emulator only."""
    with pytest.raises(UsageError, match="must be an https URL"):
        starturl.resolve("http://sso.example.com/start", "us-east-1")


def test_an_unreachable_vanity_host_is_a_network_error():
    """Nothing listens: exit 5 naming the URL, within the time-out."""
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    with pytest.raises(NetworkError, match="cannot reach the start URL"):
        starturl.resolve(f"http://127.0.0.1:{port}/start", "us-east-1", timeout=2)
