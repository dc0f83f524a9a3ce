"""The device-login loop against the emulator, with the clock and sleep injected."""

from __future__ import annotations

import datetime as dt

import pytest

from devcreds.awsconfig import SsoSession
from devcreds.errors import LoginRequired
from devcreds.paths import Paths
from devcreds.sso.clients import ClientFactory
from devcreds.sso.login import client_registration, device_login
from devcreds.sso.oidc import Oidc
from tests.support import START_URL, approve

SESSION = SsoSession("corp", START_URL, "us-east-1", ("sso:account:access",))


class Screen:
    def __init__(self):
        self.codes = []
        self.countdown = []

    def show_code(self, device, browser_opened):
        self.codes.append(device.user_code)

    def waiting(self, seconds_left):
        self.countdown.append(round(seconds_left))


class Time:
    """The client's clock and sleep; each sleep moves the emulator's clock by `pace` of it."""

    def __init__(self, emu, pace=1.0, on_sleep=None):
        self.emu = emu
        self.pace = pace
        self.slept = []
        self.on_sleep = on_sleep
        self.client_now = emu.clock.now

    def now(self):
        return dt.datetime.fromtimestamp(self.client_now, dt.UTC)

    def sleep(self, seconds):
        self.slept.append(seconds)
        self.client_now += seconds
        self.emu.clock.advance(seconds * self.pace)
        if self.on_sleep:
            self.on_sleep(len(self.slept))


@pytest.fixture
def oidc(emu, monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL", emu.url)
    return Oidc(ClientFactory().client("sso-oidc", "us-east-1"))


def _login(emu, oidc, time, tmp_path, screen):
    paths = Paths(tmp_path, tmp_path / "config", tmp_path / "credentials")
    registration = client_registration(paths, SESSION, oidc, time.now())
    return device_login(
        SESSION,
        registration,
        oidc,
        screen,
        open_browser=None,
        clock=time.now,
        sleep=time.sleep,
        login_hint="devcreds login --profile dev",
    )


def test_login_polls_at_the_interval_until_approved(emu, oidc, tmp_path):
    """The loop waits `interval` between polls, counts down, and returns the token."""
    screen = Screen()
    time = Time(emu, on_sleep=lambda n: n == 3 and approve(emu.url, screen.codes[0]))
    token = _login(emu, oidc, time, tmp_path, screen)
    assert token.refresh_token
    assert token.start_url == START_URL
    assert time.slept == [1.0, 1.0, 1.0]
    assert screen.countdown == [600, 599, 598]


def test_slow_down_adds_five_seconds_to_the_interval(emu, oidc, tmp_path):
    """After slow_down the client waits interval + 5 s between polls (RFC 8628 §3.5)."""
    screen = Screen()
    # The server's clock runs at half speed: to it, the first 1-second wait is too short.
    time = Time(emu, pace=0.5, on_sleep=lambda n: n == 7 and approve(emu.url, screen.codes[0]))
    _login(emu, oidc, time, tmp_path, screen)
    assert sum(time.slept[:1]) == 1.0
    assert sum(time.slept[1:7]) == 6.0  # one wait of 6 s, in steps of at most a second
    assert emu.calls("CreateToken") == 3


def test_code_expiry_ends_the_loop_even_if_the_server_never_says_so(
    start_emulator, monkeypatch, tmp_path
):
    """Past expiresIn the client stops by itself, though the server's clock lags behind."""
    emu = start_emulator(device_code_ttl=60)
    monkeypatch.setenv("AWS_ENDPOINT_URL", emu.url)
    oidc = Oidc(ClientFactory().client("sso-oidc", "us-east-1"))
    time = Time(emu, pace=0.5)
    with pytest.raises(LoginRequired) as exc:
        _login(emu, oidc, time, tmp_path, Screen())
    assert "expired" in exc.value.message
    assert sum(time.slept) == 60
