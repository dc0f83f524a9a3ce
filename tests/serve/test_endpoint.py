"""devcreds serve as an HTTP endpoint: the answers SDKs parse, and every bad request refused."""

from __future__ import annotations

import datetime as dt
import http.client
import socket
import threading

import pytest

from devcreds.cache import RoleCredentials
from devcreds.serve import address, server
from devcreds.serve.supply import Supply
from tests.serve.conftest import start_serve


def test_answers_the_fields_sdks_parse(serving):
    """AccessKeyId, SecretAccessKey, Token, Expiration (ISO 8601 UTC) and AccountId."""
    status, body = serving.get()
    assert status == 200
    assert set(body) == {
        "Code",
        "AccessKeyId",
        "SecretAccessKey",
        "Token",
        "Expiration",
        "AccountId",
    }
    assert body["AccessKeyId"].startswith("ASIA")
    assert body["AccountId"] == "111111111111"
    assert body["Expiration"].endswith("Z")


def test_the_same_credentials_as_export(serving):
    """serve goes through export's resolver and cache: one fetch serves both."""
    _, body = serving.get()
    assert serving.cli.export()["AccessKeyId"] == body["AccessKeyId"]


def test_the_token_file_is_private_and_stable_across_restarts(serving):
    """0600 in a 0700 folder, no line break, the same token after a restart."""
    token = serving.token
    assert (
        serving.token_file.stat().st_mode & 0o777,
        serving.token_file.parent.stat().st_mode & 0o777,
    ) == (0o600, 0o700)
    assert token == token.strip()
    assert len(token) >= 32
    assert serving.stop()[0] == 0
    again = start_serve(serving.cli)
    try:
        assert again.token == token
        assert again.get()[0] == 200
    finally:
        again.stop()


def test_requests_without_the_token_are_refused(serving):
    """No header: 401 naming the token file; a wrong one (even a prefix): 403."""
    status, body = serving.get(headers={})
    assert status == 401
    assert str(serving.token_file) in body["hint"]
    for wrong in ("x" * 43, serving.token[:-1], serving.token + "x"):
        assert serving.get(headers={"Authorization": wrong})[0] == 403


def test_a_foreign_host_header_is_refused(serving):
    """DNS rebinding: a page at evil.example:PORT resolving to 127.0.0.1 gets 403."""
    token = serving.token
    for host in (f"evil.example:{serving.port}", "127.0.0.1:1", "127.0.0.1"):
        status, body = serving.get(headers={"Authorization": token, "Host": host})
        assert (status, body["code"]) == (403, "WrongHost")
    assert (
        serving.get(headers={"Authorization": token, "Host": f"localhost:{serving.port}"})[0] == 200
    )


def test_unknown_profiles_and_paths_are_404(serving):
    """An unknown profile, a traversal, an empty name, another path: 404, no secret."""
    for path in (
        "/profile/nope",
        "/profile/../../etc/passwd",
        "/profile/",
        "/profile/%2e%2e/x",
        "/profile/%ff",
        "/credentials",
        "/",
    ):
        status, body = serving.get(path)
        assert status == 404, path
        assert "SecretAccessKey" not in body


def test_a_logged_out_session_is_503_with_the_login_hint(serving):
    """Only a login can help: 503 and the command in the body, for the app's log."""
    serving.cli.ok("logout", "--all")
    status, body = serving.get()
    assert status == 503
    assert body["hint"] == "devcreds login --profile dev"


def test_other_methods_and_garbage_are_refused_and_serve_goes_on(serving):
    """POST, a malformed request line, huge headers: refused; the next request is answered."""
    connection = http.client.HTTPConnection("127.0.0.1", serving.port, timeout=10)
    connection.request("POST", "/profile/dev", body=b"{}", headers={"Authorization": serving.token})
    assert connection.getresponse().status == 501
    connection.close()
    with socket.create_connection(("127.0.0.1", serving.port), timeout=10) as raw:
        raw.sendall(b"\x00\xff garbage\r\n\r\n")
        assert raw.recv(100).startswith(b"HTTP/1.1 400 ")
    status, _ = serving.get(headers={"Authorization": serving.token, "X-Big": "a" * 70000})
    assert status == 431
    assert serving.get()[0] == 200


def test_a_silent_client_does_not_stop_others(serving):
    """Connections that send nothing, and many at once: the next real request is answered."""
    idle = [socket.create_connection(("127.0.0.1", serving.port), timeout=10) for _ in range(50)]
    try:
        results = []
        threads = [
            threading.Thread(target=lambda: results.append(serving.get()[0])) for _ in range(20)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        assert results == [200] * 20
    finally:
        for connection in idle:
            connection.close()


def test_no_secret_reaches_the_log(serving):
    """A line per request, without the token or any key."""
    _, body = serving.get()
    serving.get(headers={"Authorization": "wrong-token-value"})
    code, log = serving.stop()
    assert code == 0
    assert "GET /profile/dev 200" in log
    assert "GET /profile/dev 403" in log
    for secret in (serving.token, body["SecretAccessKey"], body["Token"], "wrong-token-value"):
        assert secret not in log


def test_a_second_serve_on_the_port_says_it_is_running(serving):
    """Same port: exit 5, 'already running', serve 1 untouched."""
    completed = serving.cli.run("serve", "--port", str(serving.port))
    assert completed.returncode == 5
    assert "devcreds serve is already running" in completed.stderr
    assert serving.get()[0] == 200


def test_another_program_on_the_port_is_named_as_such(cli):
    """A port held by something else: exit 5 with a --port hint, no traceback."""
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        completed = cli.run("serve", "--port", str(holder.getsockname()[1]))
    assert completed.returncode == 5
    assert "taken by another program" in completed.stderr
    assert "hint: devcreds serve --port N" in completed.stderr


def test_a_non_loopback_address_needs_the_explicit_flag(cli):
    """--host 0.0.0.0 is refused (exit 2) unless --allow-non-loopback is given."""
    completed = cli.run("serve", "--host", "0.0.0.0")  # noqa: S104 - refused, never bound
    assert completed.returncode == 2
    assert "--allow-non-loopback" in completed.stderr


def test_the_endpoint_url_names_the_profile():
    """Profile names are one URL segment, quoted, and read back as they were."""
    wanted = address.Address("my dev/x")
    assert address.url(wanted, 9155) == "http://127.0.0.1:9155/profile/my%20dev%2Fx"
    assert address.parse(wanted.path) == wanted


def test_the_team_url_names_account_role_and_portal():
    """/portal/HOST/account/ID/role/ROLE, each a segment; parse reads back what url wrote."""
    plain = address.Address(account_id="111111111111", role_name="Dev Ops")
    portal = address.Address(None, "111111111111", "Dev Ops", "d-0123456789.awsapps.com")
    assert address.url(plain, 9155) == "http://127.0.0.1:9155/account/111111111111/role/Dev%20Ops"
    assert portal.path == "/portal/d-0123456789.awsapps.com/account/111111111111/role/Dev%20Ops"
    assert [address.parse(a.path) for a in (plain, portal)] == [plain, portal]


@pytest.mark.parametrize(
    "path",
    ["/profile/", "/profile/a/b", "/account/1/role", "/account/1/roles/R", "/portal/h/account/1",
     "/account//role/R", "/profile/%ff", "/profile/a%0Ab", "/"],
)  # fmt: skip
def test_other_paths_name_nothing(path):
    """Paths of another shape, empty segments, bad UTF-8 or control characters: None."""
    assert address.parse(path) is None


def test_a_silent_connection_is_closed_after_the_client_timeout():
    """A client that connects and says nothing loses the connection; a talking one is served."""
    creds = RoleCredentials("ASIAFIXED", "secret", "token", dt.datetime(2099, 1, 1, tzinfo=dt.UTC))
    supply = Supply(lambda profile, outlive: creds, lambda: dt.datetime.now(dt.UTC), lambda _: None)
    served = server.Server("127.0.0.1", 0, "t" * 43, supply, lambda _: None, client_timeout=0.5)
    served.close_idle_in_background()
    threading.Thread(target=served.serve_forever, daemon=True).start()
    try:
        with socket.create_connection(("127.0.0.1", served.port), timeout=10) as silent:
            assert silent.recv(100) == b""  # closed by serve, not by our 10 s time-out
        connection = http.client.HTTPConnection("127.0.0.1", served.port, timeout=10)
        connection.request("GET", "/profile/dev", headers={"Authorization": "t" * 43})
        assert connection.getresponse().status == 200
        connection.close()
    finally:
        served.shutdown()
        served.server_close()
