"""devcreds login in a real headless Chromium (Debian's chromium and chromium-driver, driven by
Selenium): one click on the consent page, and the redirect reaches devcreds' listener."""

from __future__ import annotations

import pytest

from tests.browser.chromium import WHAT, find_chromium
from tests.browser.launch import browser_command, finished
from tests.support import require_tool

pytestmark = pytest.mark.chromium


@pytest.fixture(scope="module")
def chromium():
    return require_tool(find_chromium(), WHAT)


@pytest.mark.parametrize(("decision", "code"), [("allow", 0), ("deny", 4)])
def test_one_click_in_chromium_signs_in_or_denies(chromium, make_cli, tmp_path, decision, code):
    """Allow: the token is cached and export works; Deny: exit 4, no token, no CreateToken."""
    cli = make_cli(auto_approve=False)
    cli.configure()
    log = tmp_path / "chromium.log"
    browser = browser_command(tmp_path, "chromium", log=log, decision=decision, detach=True)
    completed = cli.run("login", "--profile", "dev", "--browser", BROWSER=str(browser), timeout=90)
    assert completed.returncode == code, completed.stderr
    steps = finished(log, timeout=60)
    assert {"step": "decision", "decision": decision} in [
        {k: s[k] for k in ("step", "decision")} for s in steps if s.get("step") == "decision"
    ]
    tokens = [p for p in cli.sso_cache.glob("*.json") if "accessToken" in p.read_text()]
    if decision == "allow":
        assert len(tokens) == 1
        assert cli.emu.calls("CreateToken") == 1
        assert cli.export()["AccountId"] == "111111111111"
    else:
        assert tokens == []
        assert cli.emu.calls("CreateToken") == 0
        assert "denied" in completed.stderr
