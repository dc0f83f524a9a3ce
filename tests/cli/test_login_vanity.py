"""A vanity start URL: devcreds follows it to the AWS-owned URL, as the AWS CLI v2 does."""

from __future__ import annotations

import json
import urllib.request

import pytest

from tests.support import START_URL


def _start_urls(cli):
    with urllib.request.urlopen(f"{cli.emu.url}/_emulator/start-urls", timeout=10) as answer:
        return json.load(answer)


@pytest.fixture
def vanity(make_cli):
    """A session whose sso_start_url is the emulator's vanity path (a host AWS does not own)."""
    cli = make_cli()
    url = f"{cli.emu.url}/vanity/corp"
    cli.ok(
        "configure", "sso", "--profile", "dev", "--sso-session", "corp", "--start-url", url,
        "--sso-region", "us-east-1", "--account-id", "111111111111", "--role-name", "Developer",
    )  # fmt: skip
    return cli, url


@pytest.mark.parametrize("flow", [("--use-device-code",), ()], ids=["device", "browser"])
def test_login_sends_the_portal_url_and_keeps_the_configured_one(vanity, flow):
    """One redirect followed; the OIDC calls carry the AWS-owned URL; the token's startUrl is
    the configured one (so export, status and the AWS CLI find it)."""
    cli, url = vanity
    completed = cli.run("login", "--profile", "dev", *flow, **cli.browser())
    assert completed.returncode == 0, completed.stderr
    assert f"{url} leads to {START_URL} (us-east-1)" in completed.stderr
    seen = _start_urls(cli)
    assert seen["vanityRedirects"] == 1
    assert set(seen["startUrls"]) == {START_URL}
    token = next(
        json.loads(p.read_text())
        for p in cli.sso_cache.glob("*.json")
        if "accessToken" in p.read_text()
    )
    assert token["startUrl"] == url
    assert cli.export()["AccountId"] == "111111111111"


def test_a_vanity_url_leading_nowhere_is_a_usage_error(make_cli):
    """A start URL the host does not know (404): exit 2 naming it, no login started."""
    cli = make_cli()
    cli.ok(
        "configure", "sso", "--profile", "dev", "--sso-session", "corp", "--start-url",
        f"{cli.emu.url}/not-a-portal", "--sso-region", "us-east-1", "--account-id",
        "111111111111", "--role-name", "Developer",
    )  # fmt: skip
    completed = cli.run("login", "--profile", "dev", "--use-device-code")
    assert completed.returncode == 2, completed.stderr
    assert "not-a-portal failed: HTTP 404" in completed.stderr
    assert cli.emu.calls("StartDeviceAuthorization") == 0
