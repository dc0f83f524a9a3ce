"""Credentials that live less than 15 minutes are fetched once per lifetime and shared."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

from tests.cli.test_fastpath import _imported


def test_twenty_parallel_exports_of_10_minute_credentials_make_one_call(make_cli):
    """--credentials-ttl 600: 20 exports at once share one GetRoleCredentials; the next export
    a moment later makes none, and the fast path serves it."""
    cli = make_cli(credentials_ttl=600)
    cli.configure()
    cli.ok("login", "--profile", "dev", "--use-device-code", "--no-browser")
    with ThreadPoolExecutor(max_workers=20) as pool:
        runs = list(pool.map(lambda _: cli.run("export", "--profile", "dev"), range(20)))
    assert [r.returncode for r in runs] == [0] * 20, [r.stderr for r in runs if r.returncode]
    assert len({json.loads(r.stdout)["AccessKeyId"] for r in runs}) == 1
    assert cli.emu.calls("GetRoleCredentials") == 1
    out, modules = _imported(cli, "export", "--profile", "dev")
    assert json.loads(out)["AccessKeyId"] == json.loads(runs[0].stdout)["AccessKeyId"]
    assert "devcreds.awsconfig" not in modules  # the fast path answered
    assert cli.emu.calls("GetRoleCredentials") == 1


def test_900_second_assumed_roles_are_assumed_once(logged_in):
    """duration_seconds = 900: a second export uses the cached AssumeRole answer."""
    with logged_in.config.open("a") as config:
        config.write(
            "\n[profile short]\nrole_arn = arn:aws:iam::222222222222:role/Deploy\n"
            "source_profile = dev\nduration_seconds = 900\n"
        )
    first = logged_in.export("short")
    assert logged_in.export("short") == first
    assert logged_in.run("export", "--profile", "short", DEVCREDS_FAST_PATH="0").stdout
    assert logged_in.emu.calls("AssumeRole") == 1


def test_10_minute_tokens_are_not_renewed_on_every_call(make_cli):
    """--token-ttl 600: a token fresh from the login is used, not refreshed at once."""
    cli = make_cli(token_ttl=600)
    cli.configure()
    cli.ok("login", "--profile", "dev", "--use-device-code", "--no-browser")
    cli.export()
    for path in cli.cli_cache.glob("*.json"):
        path.unlink()
    cli.export()
    assert cli.emu.stats()["grants"] == {"device_code": 1}
    assert cli.emu.calls("GetRoleCredentials") == 2
