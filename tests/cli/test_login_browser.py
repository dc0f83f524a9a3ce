"""``devcreds login`` through the browser (authorization code + PKCE) against the emulator.

The browser is ``tests/browser/follow.py`` (as ``BROWSER``): it opens the authorize URL,
presses the emulator's Allow or Deny, and delivers the redirect to devcreds' listener.
"""

from __future__ import annotations

import json

from devcreds import keys
from tests.support import START_URL


def _grants(cli):
    return cli.emu.stats()["grants"]


def _registration(cli):
    key = keys.registration_key(START_URL, "us-east-1", ("sso:account:access",), "corp")
    return json.loads((cli.sso_cache / f"{key}.json").read_text())


def test_browser_login_is_the_default(cli):
    """A plain login opens the browser: one authorization_code CreateToken, the token cached
    and a registration the AWS CLI's browser flow reuses; the tab says it may be closed."""
    completed = cli.run("login", "--profile", "dev", **cli.browser())
    assert completed.returncode == 0, completed.stderr
    assert "Signing in through the browser: the default" in completed.stderr
    assert _grants(cli) == {"authorization_code": 1}
    assert cli.emu.calls("CreateToken") == 1
    assert cli.emu.calls("StartDeviceAuthorization") == 0
    registration = _registration(cli)
    assert registration["grantTypes"] == ["authorization_code", "refresh_token"]
    assert registration["scopes"] == ["sso:account:access"]
    (seen,) = cli.emu.emulator.state.registrations.values()
    assert seen.redirect_uris == ("http://127.0.0.1/oauth/callback",)
    assert [s for s in cli.followed() if s["step"] == "callback"] == [
        {"step": "callback", "port": seen_port(cli), "status": 200, "title": "Signed in - devcreds"}
    ]
    assert cli.export()["AccountId"] == "111111111111"  # the cached token serves


def seen_port(cli):
    (step,) = [s for s in cli.followed() if s["step"] == "callback"]
    return step["port"]
