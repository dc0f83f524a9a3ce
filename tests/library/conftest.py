"""moto in server mode on loopback, and emulator-issued source credentials."""

from __future__ import annotations

import datetime as dt

import pytest
from moto.server import ThreadedMotoServer

from tests.support import device_login


@pytest.fixture(scope="session")
def moto_url():
    """A real moto HTTP server (STS, S3, …) on 127.0.0.1."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def moto_env(monkeypatch, moto_url):
    """Default-chain credentials moto accepts, from the environment."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAMOTOEXAMPLE00000")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "moto-secret")
    return moto_url


@pytest.fixture
def sso_source(emu, monkeypatch):
    """The default chain holds role credentials the emulator issued (an SSO role)."""
    token = device_login(emu)["accessToken"]
    creds = emu.client("sso").get_role_credentials(
        accessToken=token, accountId="111111111111", roleName="Developer"
    )["roleCredentials"]
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", creds["accessKeyId"])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", creds["secretAccessKey"])
    monkeypatch.setenv("AWS_SESSION_TOKEN", creds["sessionToken"])
    return emu


class UtcClock:
    """A clock for botocore's refresh logic that the test moves."""

    def __init__(self):
        self.now = dt.datetime.now(dt.UTC)

    def __call__(self):
        return self.now

    def advance(self, seconds):
        self.now += dt.timedelta(seconds=seconds)


@pytest.fixture
def clock():
    return UtcClock()
