"""Every network wait has a time budget: a frozen endpoint is exit 5 in seconds, not minutes."""

from __future__ import annotations

import datetime as dt
import json
import socket
import threading
import time
from dataclasses import dataclass

import pytest

# A bound, not a benchmark: one call's budget is about 10 s (2 attempts x 5 s read timeout).
BUDGET = 30


@dataclass
class Frozen:
    url: str
    connections: list[socket.socket]


@pytest.fixture
def frozen():
    """A loopback endpoint that accepts every connection and never answers a byte."""
    listener = socket.create_server(("127.0.0.1", 0))
    held: list[socket.socket] = []

    def accept() -> None:
        while True:
            try:
                connection, _ = listener.accept()
            except OSError:  # the listener was shut down: the test is over
                return
            held.append(connection)

    thread = threading.Thread(target=accept, name="frozen-endpoint", daemon=True)
    thread.start()
    yield Frozen(f"http://127.0.0.1:{listener.getsockname()[1]}", held)
    listener.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept() on Linux
    listener.close()
    thread.join(timeout=5)
    for connection in held:
        connection.close()


def _shift(path, key, delta, nested=None):
    """Move a timestamp in a cache file to now + delta."""
    data = json.loads(path.read_text())
    target = data[nested] if nested else data
    target[key] = (dt.datetime.now(dt.UTC) + delta).strftime("%Y-%m-%dT%H:%M:%SZ")
    path.write_text(json.dumps(data))


def _token_file(cli):
    return next(p for p in cli.sso_cache.glob("*.json") if "accessToken" in p.read_text())


def _expire_credentials(cli):
    path = cli.only_file(cli.cli_cache)
    _shift(path, "Expiration", dt.timedelta(minutes=-1), "Credentials")


def _timed(cli, *args, endpoint):
    started = time.monotonic()
    completed = cli.run(*args, timeout=120, AWS_ENDPOINT_URL=endpoint.url)
    return completed, time.monotonic() - started


def _assert_network_error(completed, elapsed, what):
    assert completed.returncode == 5, completed.stderr
    assert elapsed < BUDGET
    # A login says first which flow it chose.
    errors = completed.stderr.removeprefix(
        "Signing in with a device code: --use-device-code given.\n"
    )
    assert errors.startswith(f"error: {what} failed: Read timeout")
    assert "hint: check the network" in completed.stderr
    assert "Traceback" not in completed.stderr


def test_login_at_a_frozen_endpoint_is_exit_5_within_the_budget(cli, frozen):
    """devcreds login against an endpoint that never answers: exit 5, well before a minute."""
    completed, elapsed = _timed(
        cli, "login", "--profile", "dev", "--use-device-code", "--no-browser", endpoint=frozen
    )
    _assert_network_error(completed, elapsed, "registering the client")
    assert len(frozen.connections) == 2  # one retry, then the error


def test_export_with_an_expired_token_at_a_frozen_endpoint_is_exit_5(logged_in, frozen):
    """An expired token and credentials: the refresh times out, exit 5 within the budget."""
    logged_in.export()
    _shift(_token_file(logged_in), "expiresAt", dt.timedelta(minutes=-1))
    _expire_credentials(logged_in)
    completed, elapsed = _timed(logged_in, "export", "--profile", "dev", endpoint=frozen)
    _assert_network_error(completed, elapsed, "renewing the SSO token")
    assert len(frozen.connections) == 2


def test_export_with_a_valid_token_at_a_frozen_endpoint_is_exit_5(logged_in, frozen):
    """A valid token, expired credentials: GetRoleCredentials times out, exit 5."""
    logged_in.export()
    _expire_credentials(logged_in)
    completed, elapsed = _timed(logged_in, "export", "--profile", "dev", endpoint=frozen)
    _assert_network_error(
        completed, elapsed, "getting credentials for role Developer in account 111111111111"
    )
    assert len(frozen.connections) == 2


def test_two_waits_in_one_export_stay_within_the_bound(logged_in, frozen):
    """A live token due for renewal: the refresh times out (the token is kept), then
    GetRoleCredentials gets one attempt, not a second full budget."""
    logged_in.export()
    _shift(_token_file(logged_in), "expiresAt", dt.timedelta(minutes=5))
    _expire_credentials(logged_in)
    completed, elapsed = _timed(logged_in, "export", "--profile", "dev", endpoint=frozen)
    _assert_network_error(
        completed, elapsed, "getting credentials for role Developer in account 111111111111"
    )
    assert len(frozen.connections) == 3  # two for the refresh, one for GetRoleCredentials


def test_a_slow_emulator_still_works(make_cli):
    """With 2 s of latency on every answer (under the 5 s read timeout), login succeeds."""
    cli = make_cli(latency_ms=2000)
    cli.configure()
    cli.ok("login", "--profile", "dev", "--use-device-code", "--no-browser")
    assert cli.emu.calls("CreateToken") == 1  # not retried: no attempt timed out
