"""``devcreds emulator`` as a user runs it: a subprocess on a real port."""

from __future__ import annotations

import json
import re
import signal
import socket
import subprocess
import sys
import threading

import boto3
import pytest

from tests.support import START_URL, raw_request

LISTENING = re.compile(r"^listening on (http://127\.0\.0\.1:(\d+))$")


def _devcreds(*args):
    return [sys.executable, "-m", "devcreds", *args]


def _first_line(process, timeout=15.0):
    lines = []
    reader = threading.Thread(target=lambda: lines.append(process.stdout.readline()))
    reader.start()
    reader.join(timeout)
    assert lines, "the emulator printed nothing"
    return lines[0].rstrip("\n")


@pytest.fixture
def launch():
    processes = []

    def start(*args):
        process = subprocess.Popen(
            _devcreds("emulator", *args),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        processes.append(process)
        match = LISTENING.match(_first_line(process))
        assert match, "first line must be 'listening on http://HOST:PORT'"
        return process, match.group(1)

    yield start
    for process in processes:
        if process.poll() is None:
            process.kill()
        process.wait()


def test_first_line_names_a_free_port_that_serves(launch):
    """With --port 0 the first stdout line names the picked port, and it answers."""
    _, url = launch("--port", "0")
    status, _, body = raw_request(url, "GET", "/_emulator/stats")
    assert (status, json.loads(body)) == (200, {"calls": {}, "grants": {}})


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_stops_cleanly_on_signal(launch, signum):
    """SIGTERM and SIGINT stop the emulator with exit code 0 and no traceback."""
    process, _ = launch()
    process.send_signal(signum)
    _, err = process.communicate(timeout=15)
    assert process.returncode == 0
    assert "Traceback" not in err
    assert "stopped" in err


def test_port_in_use_is_one_error_line_and_exit_5(launch):
    """A taken port gives exit code 5, an error line and a hint, no traceback."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        completed = subprocess.run(
            _devcreds("emulator", "--port", str(port)), capture_output=True, text=True, timeout=30
        )
    assert completed.returncode == 5
    assert completed.stderr.startswith(f"error: cannot listen on 127.0.0.1:{port}")
    assert "hint: devcreds emulator --port 0" in completed.stderr
    assert "Traceback" not in completed.stderr


@pytest.mark.parametrize(
    "args",
    [("--fault-rate", "2"), ("--port", "70000"), ("--accounts", "0"), ("--interval", "soon")],
)
def test_bad_option_is_usage_error_exit_2(args):
    """Out-of-range or malformed options exit 2 before anything listens."""
    completed = subprocess.run(
        _devcreds("emulator", *args), capture_output=True, text=True, timeout=30
    )
    assert (completed.returncode, completed.stdout) == (2, "")


def test_options_reach_the_running_emulator(launch):
    """--accounts, --roles-per-account, --auto-approve and --token-ttl shape what clients see."""
    _, url = launch(
        "--accounts", "5", "--roles-per-account", "3", "--auto-approve", "--token-ttl", "120"
    )
    session = boto3.session.Session(region_name="us-east-1")
    oidc = session.client("sso-oidc", endpoint_url=url)
    client = oidc.register_client(clientName="t", clientType="public")
    device = oidc.start_device_authorization(
        clientId=client["clientId"], clientSecret=client["clientSecret"], startUrl=START_URL
    )
    token = oidc.create_token(
        clientId=client["clientId"],
        clientSecret=client["clientSecret"],
        grantType="urn:ietf:params:oauth:grant-type:device_code",
        deviceCode=device["deviceCode"],
    )
    sso = session.client("sso", endpoint_url=url)
    accounts = sso.list_accounts(accessToken=token["accessToken"])["accountList"]
    roles = sso.list_account_roles(accessToken=token["accessToken"], accountId="400000000004")
    assert (token["expiresIn"], len(accounts), len(roles["roleList"])) == (120, 5, 3)


def test_version():
    """python -m devcreds --version prints the package version."""
    from devcreds import __version__

    completed = subprocess.run(_devcreds("--version"), capture_output=True, text=True, timeout=30)
    assert (completed.returncode, completed.stdout.strip()) == (0, f"devcreds {__version__}")


def test_demo_runs_end_to_end():
    """devcreds demo logs in, writes launchSettings.json, shows the caller, cleans up exactly."""
    completed = subprocess.run(_devcreds("demo"), capture_output=True, text=True, timeout=120)
    assert completed.returncode == 0, completed.stderr
    assert "arn:aws:sts::111111111111:assumed-role/AWSReservedSSO_Developer_" in completed.stdout
    assert '+        "AWS_ACCESS_KEY_ID": "ASIA' in completed.stdout
    assert "byte for byte as before: yes" in completed.stdout
    assert not re.search(r'"AWS_(SECRET_ACCESS_KEY|SESSION_TOKEN)": "[^"…]{5,}"', completed.stdout)
