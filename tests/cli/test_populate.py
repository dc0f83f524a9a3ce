"""``devcreds configure populate`` through the CLI against the emulator: every role of a
throttled directory as a profile botocore and ``export`` use, reruns that write nothing,
``--prune`` after accounts are gone, and the user's own profiles and bytes left alone."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from botocore.configloader import load_config

from tests.cli.conftest import Cli, cli_environment

SAMPLES = Path(__file__).parents[1] / "samples" / "ini"


def _logged_in(make_cli, **emulator) -> Cli:
    cli = make_cli(**emulator)
    cli.configure()
    cli.ok("login", "--profile", "dev", "--use-device-code")
    return cli


def _generated(cli: Cli) -> dict[str, dict[str, str]]:
    profiles = load_config(str(cli.config))["profiles"]
    return {name: p for name, p in profiles.items() if p.get("devcreds_populated") == "corp"}


def test_populate_under_a_throttle_writes_every_role_as_a_usable_profile(make_cli):
    """300 accounts x 2 roles at 20 requests/s: 600 profiles, no error, retries seen by the
    emulator; botocore loads them and devcreds export gets credentials for one."""
    cli = _logged_in(make_cli, accounts=300, roles_per_account=2, throttle_rps=20)
    completed = cli.run("configure", "populate", "--sso-session", "corp", timeout=120)
    assert completed.returncode == 0, completed.stderr
    assert "600 added" in completed.stderr
    assert "error" not in completed.stderr
    assert cli.emu.calls("ListAccountRoles") > 300  # some were throttled and sent again
    generated = _generated(cli)
    assert len(generated) == 600
    assert generated["account-300-ReadOnly"] == {
        "sso_session": "corp",
        "sso_account_id": "400000000299",
        "sso_role_name": "ReadOnly",
        "region": "us-east-1",
        "devcreds_populated": "corp",
    }
    exported = json.loads(cli.ok("export", "--profile", "account-300-ReadOnly", "--format", "json"))
    assert exported["AccessKeyId"].startswith("ASIA")


def test_a_rerun_with_nothing_new_writes_nothing(make_cli):
    """Not even with a fresh listing: same bytes, same file (inode and mtime)."""
    cli = _logged_in(make_cli, accounts=4)
    cli.ok("configure", "populate")
    before = cli.config.stat()
    content = cli.config.read_bytes()
    completed = cli.run("configure", "populate", "--refresh")
    assert completed.returncode == 0, completed.stderr
    assert "Nothing to change" in completed.stderr
    after = cli.config.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    assert cli.config.read_bytes() == content


def test_prune_after_accounts_disappear_removes_exactly_their_profiles(make_cli, start_emulator):
    """Populated from 6 accounts; the directory then has 4 (a new login): --prune removes
    the 4 profiles of the 2 lost accounts and nothing else."""
    cli = _logged_in(make_cli, accounts=6)
    cli.ok("configure", "populate")
    with cli.config.open("a") as config:
        config.write("\n[profile mine]\nregion = eu-west-1\n")
    before = _generated(cli)
    smaller = start_emulator(real_time=True, accounts=4, auto_approve=True)
    cli = Cli(cli.home, cli_environment(cli.home, smaller.url), smaller)
    cli.ok("login", "--profile", "dev", "--use-device-code")
    summary = json.loads(cli.ok("configure", "populate", "--prune", "--json"))
    assert sorted(summary["removed"]) == sorted(
        name
        for name, p in before.items()
        if p["sso_account_id"] in {"400000000004", "400000000005"}
    )
    assert len(summary["removed"]) == 4
    assert set(_generated(cli)) == set(before) - set(summary["removed"])
    assert "mine" in load_config(str(cli.config))["profiles"]


def test_a_hand_written_profile_is_left_and_reported(make_cli):
    cli = _logged_in(make_cli)
    with cli.config.open("a") as config:
        config.write("\n[profile prod-ReadOnly]\n# my own\nregion = eu-west-1\n")
    before = cli.config.read_text()
    completed = cli.run("configure", "populate")
    assert completed.returncode == 0, completed.stderr
    assert "profile prod-ReadOnly: written by hand; left as it is" in completed.stderr
    assert cli.config.read_text().startswith(before)
    assert load_config(str(cli.config))["profiles"]["prod-ReadOnly"] == {"region": "eu-west-1"}


def test_crlf_comments_and_hand_written_profiles_survive_byte_for_byte(make_cli):
    """Into the CRLF torture sample: every byte stays, the new lines are CRLF too."""
    cli = make_cli()
    cli.config.parent.mkdir(parents=True)
    shutil.copyfile(SAMPLES / "synthetic__aws_config_crlf", cli.config)
    cli.configure(profile="emu", session="emu")
    cli.ok("login", "--profile", "emu", "--use-device-code")
    original = cli.config.read_bytes()
    cli.ok("configure", "populate", "--sso-session", "emu")
    edited = cli.config.read_bytes()
    assert edited.startswith(original)
    assert b"\n" not in edited.replace(b"\r\n", b"")
    profiles = load_config(str(cli.config))["profiles"]
    assert len([p for p in profiles.values() if p.get("devcreds_populated") == "emu"]) == 6


def test_dry_run_prints_the_diff_and_writes_nothing(make_cli):
    cli = _logged_in(make_cli)
    content = cli.config.read_bytes()
    completed = cli.run(
        "configure", "populate", "--dry-run", "--name-template", "{account_id}.{role_name}"
    )
    assert completed.returncode == 0, completed.stderr
    assert "+[profile 333333333333.ReadOnly]\n" in completed.stdout
    assert "+devcreds_populated = corp\n" in completed.stdout
    assert "Would change" in completed.stderr
    assert cli.config.read_bytes() == content


def test_several_sessions_need_sso_session(make_cli):
    cli = make_cli()
    cli.configure()
    cli.configure(profile="other", session="second")
    content = cli.config.read_bytes()
    completed = cli.run("configure", "populate")
    assert completed.returncode == 2
    assert "2 sso-sessions (corp, second)" in completed.stderr
    assert "hint: devcreds configure populate --sso-session corp" in completed.stderr
    assert cli.config.read_bytes() == content


def test_dry_run_with_json_puts_the_diff_in_the_summary(make_cli):
    cli = _logged_in(make_cli)
    summary = json.loads(cli.ok("configure", "populate", "--dry-run", "--json"))
    assert summary["written"] is False
    assert len(summary["added"]) == 6
    assert "+[profile prod-ReadOnly]\n" in summary["diff"]
