"""Real headless Chromium (Debian's chromium and chromium-driver, driven by Selenium) as the
browser of the AWS CLI 2.36.7: one click on the emulator's consent page signs it in."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest

from tests.browser.chromium import WHAT, find_chromium
from tests.browser.launch import browser_command, run_with_browser
from tests.browser.open_in_chromium import open_in_chromium
from tests.support import START_URL, find_current_aws_cli, require_tool, start_device

pytestmark = pytest.mark.chromium


@pytest.fixture(scope="module")
def chromium():
    return require_tool(find_chromium(), WHAT)


@pytest.fixture(scope="module")
def aws():
    return require_tool(find_current_aws_cli(), "the current AWS CLI v2 (.awscli-v2, see .ci/run)")


def _login(aws, emu, home: Path, decision: str):
    config = home / ".aws" / "config"
    config.parent.mkdir(parents=True)
    config.write_text(
        "[profile dev]\nsso_session = corp\nsso_account_id = 111111111111\n"
        "sso_role_name = Developer\nregion = us-east-1\n\n"
        f"[sso-session corp]\nsso_start_url = {START_URL}\nsso_region = us-east-1\n"
        "sso_registration_scopes = sso:account:access\n"
    )
    log = home / "browser.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "FOLLOW_"))}
    env.update(
        HOME=str(home),
        AWS_CONFIG_FILE=str(config),
        AWS_ENDPOINT_URL=emu.url,
        AWS_EC2_METADATA_DISABLED="true",
        BROWSER=str(browser_command(home, "chromium", log=log, decision=decision)),
    )
    return run_with_browser([aws, "sso", "login", "--profile", "dev"], env, log)


def _token_file(home: Path) -> Path:
    return home / ".aws" / "sso" / "cache" / f"{hashlib.sha1(b'corp').hexdigest()}.json"


@pytest.mark.awscli
def test_aws_sso_login_with_one_click_in_chromium(chromium, aws, start_emulator, tmp_path):
    """Chromium opens the authorize URL, Allow is clicked once, the redirect reaches the
    CLI's listener (its page loads with 200), and the token is in the cache."""
    emu = start_emulator(real_time=True)
    completed, walked = _login(aws, emu, tmp_path, "allow")
    assert completed.returncode == 0, (completed.stderr, walked)
    assert [s["step"] for s in walked] == ["open", "decision", "callback", "done"]
    assert walked[2]["status"] == 200
    assert emu.stats()["grants"] == {"authorization_code": 1}
    token = json.loads(_token_file(tmp_path).read_text())
    assert (token["startUrl"], bool(token["accessToken"]), bool(token["refreshToken"])) == (
        START_URL,
        True,
        True,
    )


@pytest.mark.awscli
def test_deny_in_chromium_fails_the_login(chromium, aws, start_emulator, tmp_path):
    """Deny: the redirect carries error=access_denied, the CLI fails and caches no token."""
    emu = start_emulator(real_time=True)
    completed, walked = _login(aws, emu, tmp_path, "deny")
    assert completed.returncode != 0
    assert "Failed to retrieve an authorization code" in completed.stderr, walked
    assert [s.get("decision") for s in walked if s["step"] == "decision"] == ["deny"]
    assert [s["step"] for s in walked][-2:] == ["callback", "done"]
    assert emu.stats()["grants"] == {}
    assert not _token_file(tmp_path).exists()


def test_device_page_in_chromium(chromium, emu):
    """The device flow's verificationUriComplete: Allow in Chromium, then the poll succeeds."""
    device, poll = start_device(emu)
    walked = open_in_chromium(device["verificationUriComplete"], log="")
    assert walked[-2]["title"].startswith("Request approved")
    assert poll()["accessToken"]
