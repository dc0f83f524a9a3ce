"""follow.py, the stand-in browser, against the emulator's consent pages."""

from __future__ import annotations

import json
import subprocess
import sys
from urllib.parse import quote, urlencode

import pytest

from tests.browser.follow import WRONG_STATE, BrowserError, follow
from tests.browser.launch import SCRIPTS, browser_command, finished
from tests.support import register, start_device

CHALLENGE = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"  # RFC 7636's example


def _authorize_url(emu, callback):
    client = register(
        emu.client("sso-oidc"),
        grantTypes=["authorization_code", "refresh_token"],
        redirectUris=["http://127.0.0.1/oauth/callback"],
    )
    params = {
        "response_type": "code",
        "client_id": client["clientId"],
        "redirect_uri": callback.redirect_uri,
        "state": "state-123",
        "code_challenge_method": "S256",
        "scopes": "sso:account:access",
        "code_challenge": CHALLENGE,
    }
    return f"{emu.url}/authorize?{urlencode(params, quote_via=quote)}"


def _kinds(steps):
    return [s["step"] for s in steps]


def test_allow_reaches_the_callback_with_code_and_state(emu, callback, tmp_path):
    """Consent page, Allow, then the redirect delivered to the listener; the log names the
    callback's port, status and title but carries no code or state value."""
    log = tmp_path / "follow.log"
    steps = follow(_authorize_url(emu, callback), log=log)
    assert _kinds(steps) == ["open", "decision", "redirect", "callback", "done", "end"]
    (received,) = callback.received
    assert (set(received), received["state"]) == ({"code", "state"}, "state-123")
    assert steps[3] == {
        "step": "callback",
        "port": callback.port,
        "status": 200,
        "title": "Signed in",
    }
    assert received["code"] not in log.read_text()
    assert "state-123" not in log.read_text()


def test_deny_delivers_access_denied(emu, callback, tmp_path):
    """decision=deny presses Deny: the callback gets error=access_denied and the state."""
    steps = follow(_authorize_url(emu, callback), decision="deny", log=tmp_path / "log")
    (received,) = callback.received
    assert (received["error"], received["state"]) == ("access_denied", "state-123")
    redirect = next(s for s in steps if s["step"] == "redirect")
    assert redirect["error"] == "access_denied"


def test_auto_approve_redirects_at_once(start_emulator, callback):
    """Under --auto-approve there is no page to press: straight to the callback."""
    emu = start_emulator(auto_approve=True)
    steps = follow(_authorize_url(emu, callback), log="")
    assert "decision" not in _kinds(steps)
    assert set(callback.received[0]) == {"code", "state"}


def test_wrong_state_first_then_the_right_one(emu, callback):
    """FOLLOW_STATE=wrong-first delivers a forged state, then the real callback."""
    steps = follow(_authorize_url(emu, callback), state="wrong-first", log="")
    assert [r["state"] for r in callback.received] == [WRONG_STATE, "state-123"]
    assert _kinds(steps).count("callback") == 2


def test_device_page_is_approved(emu):
    """verificationUriComplete: Allow on the device page, and the next poll gets tokens."""
    device, poll = start_device(emu)
    steps = follow(device["verificationUriComplete"], log="")
    assert steps[-2]["title"].startswith("Request approved")
    assert poll()["accessToken"]


def test_refuses_what_is_not_loopback():
    """A test browser never leaves the machine."""
    with pytest.raises(BrowserError, match="not on loopback"):
        follow("https://example.com/authorize", log="")


def test_an_error_page_fails_with_the_emulator_reason(emu, callback, tmp_path):
    """An authorize URL the emulator refuses (unknown client): exit 1, the page's title as
    the reason, in the log too, and nothing reaches the callback."""
    url = _authorize_url(emu, callback).replace("client_id=cid-", "client_id=nope-")
    log = tmp_path / "log"
    completed = subprocess.run(
        [sys.executable, str(SCRIPTS["follow"]), url],
        env={"FOLLOW_LOG": str(log), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert completed.returncode == 1
    assert "answered 400: Unknown client" in completed.stderr
    assert json.loads(log.read_text().splitlines()[-2])["ok"] is False
    assert callback.received == []


def test_detached_command_returns_before_the_walk(emu, callback, tmp_path):
    """The BROWSER command from browser_command returns at once; the walk ends by itself."""
    log = tmp_path / "log"
    command = browser_command(tmp_path, log=log)
    completed = subprocess.run(
        [str(command), _authorize_url(emu, callback)], timeout=10, check=False
    )
    assert completed.returncode == 0
    assert _kinds(finished(log)) == ["open", "decision", "redirect", "callback", "done"]
