"""``devcreds export``: caching, silent renewal, one fetch across processes, every format."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from concurrent.futures import ThreadPoolExecutor

import pytest


def _shift(path, key, delta, nested=None):
    """Move a timestamp in a cache file to now + delta."""
    data = json.loads(path.read_text())
    target = data[nested] if nested else data
    target[key] = (dt.datetime.now(dt.UTC) + delta).strftime("%Y-%m-%dT%H:%M:%SZ")
    path.write_text(json.dumps(data))


def _expire_credentials(cli):
    _shift(cli.only_file(cli.cli_cache), "Expiration", dt.timedelta(minutes=-1), "Credentials")


def _token_file(cli):
    return next(p for p in cli.sso_cache.glob("*.json") if "accessToken" in p.read_text())


def test_export_prints_credential_process_json(logged_in):
    """--format process is botocore's credential_process shape: Version is the integer 1."""
    creds = logged_in.export()
    assert creds["Version"] == 1
    assert creds["AccessKeyId"].startswith("ASIA")
    assert set(creds) == {
        "Version",
        "AccessKeyId",
        "SecretAccessKey",
        "SessionToken",
        "Expiration",
        "AccountId",
    }
    assert dt.datetime.fromisoformat(creds["Expiration"]) > dt.datetime.now(dt.UTC)


def test_second_export_makes_no_call(logged_in):
    """Cached role credentials with more than 15 minutes left are used as they are."""
    first = logged_in.export()
    calls = logged_in.emu.stats()
    assert logged_in.export() == first
    assert logged_in.emu.stats() == calls


def test_role_credentials_are_cached_where_the_aws_cli_reads_them(logged_in):
    """The role cache is ~/.aws/cli/cache/<key>.json with ProviderType sso."""
    creds = logged_in.export()
    cached = json.loads(logged_in.only_file(logged_in.cli_cache).read_text())
    assert cached["ProviderType"] == "sso"
    assert cached["Credentials"]["AccessKeyId"] == creds["AccessKeyId"]


def test_expired_role_credentials_are_fetched_again_without_a_token_call(logged_in):
    """Expiring role credentials with a valid token: one GetRoleCredentials, no CreateToken."""
    old = logged_in.export()
    _expire_credentials(logged_in)
    new = logged_in.export()
    assert new["AccessKeyId"] != old["AccessKeyId"]
    assert (logged_in.emu.calls("GetRoleCredentials"), logged_in.emu.calls("CreateToken")) == (2, 1)


def test_token_close_to_expiry_is_renewed_with_its_refresh_token(logged_in):
    """A token with 5 minutes left is refreshed once; the rotated refresh token is stored."""
    logged_in.export()
    token_path = _token_file(logged_in)
    before = json.loads(token_path.read_text())
    _shift(token_path, "expiresAt", dt.timedelta(minutes=5))
    _expire_credentials(logged_in)
    logged_in.export()
    after = json.loads(token_path.read_text())
    assert logged_in.emu.stats()["grants"] == {"device_code": 1, "refresh_token": 1}
    assert after["refreshToken"] != before["refreshToken"]
    assert after["accessToken"] != before["accessToken"]


def test_twenty_processes_share_one_renewal(logged_in):
    """20 exports at once on an expired cache: one refresh, one GetRoleCredentials, same output."""
    logged_in.export()
    _shift(_token_file(logged_in), "expiresAt", dt.timedelta(minutes=-1))
    _expire_credentials(logged_in)
    with ThreadPoolExecutor(max_workers=20) as pool:
        outputs = list(pool.map(lambda _: logged_in.run("export", "--profile", "dev"), range(20)))
    assert [o.returncode for o in outputs] == [0] * 20
    assert len({o.stdout for o in outputs}) == 1
    assert logged_in.emu.stats()["grants"]["refresh_token"] == 1
    assert logged_in.emu.calls("GetRoleCredentials") == 2


def test_dead_refresh_token_means_login_required(logged_in):
    """A refresh token the service rejects ends in exit 3 and the login hint."""
    logged_in.export()
    token_path = _token_file(logged_in)
    data = json.loads(token_path.read_text())
    data["refreshToken"] = "aor-revoked"
    token_path.write_text(json.dumps(data))
    _shift(token_path, "expiresAt", dt.timedelta(minutes=-1))
    _expire_credentials(logged_in)
    completed = logged_in.run("export", "--profile", "dev")
    assert completed.returncode == 3
    assert "hint: devcreds login --profile dev" in completed.stderr


def test_not_logged_in_off_terminal_is_exit_3_and_never_a_browser(cli):
    """As a credential_process (no terminal) a needed login is exit 3 with the hint."""
    completed = cli.run("export", "--profile", "dev", BROWSER="false")
    assert completed.returncode == 3
    assert completed.stdout == ""
    assert completed.stderr.splitlines() == [
        "error: not logged in to corp",
        "hint: devcreds login --profile dev",
    ]
    assert cli.emu.calls("StartDeviceAuthorization") == 0


def test_aws_profile_variable_selects_the_profile(logged_in):
    """Without --profile, AWS_PROFILE names the profile."""
    logged_in.configure(profile="other", role="ReadOnly")
    out = json.loads(logged_in.ok("export", AWS_PROFILE="other"))
    assert out["AccountId"] == "111111111111"
    assert logged_in.emu.calls("GetRoleCredentials") == 1


def _eval_in_bash(script, variable):
    completed = subprocess.run(
        ["bash", "-c", f'{script}\nprintf %s "${variable}"'],
        capture_output=True,
        text=True,
        check=True,
    )
    return completed.stdout


@pytest.mark.posix
@pytest.mark.parametrize("fmt", ["env", "env-no-export"])
def test_shell_formats_round_trip_through_bash(logged_in, fmt):
    """bash evaluates the env lines back to exactly the credentials."""
    creds = logged_in.export()
    script = logged_in.ok("export", "--profile", "dev", "--format", fmt)
    assert _eval_in_bash(script, "AWS_SESSION_TOKEN") == creds["SessionToken"]
    assert _eval_in_bash(script, "AWS_CREDENTIAL_EXPIRATION") == creds["Expiration"]


def test_dotenv_format_reads_back_in_bash(logged_in):
    """The dotenv lines are plain KEY=value that `set -a; .` reads back."""
    creds = logged_in.export()
    text = logged_in.ok("export", "--profile", "dev", "--format", "dotenv")
    script = f"set -a\n{text}"
    assert _eval_in_bash(script, "AWS_SECRET_ACCESS_KEY") == creds["SecretAccessKey"]


@pytest.mark.parametrize(
    ("fmt", "first_line"),
    [
        ("powershell", "$Env:AWS_ACCESS_KEY_ID='{}'"),
        ("cmd", 'set "AWS_ACCESS_KEY_ID={}"'),
        ("fish", "set -gx AWS_ACCESS_KEY_ID '{}'"),
    ],
)
def test_other_shell_formats(logged_in, fmt, first_line):
    """PowerShell, cmd and fish lines set the four variables in their own syntax."""
    creds = logged_in.export()
    lines = logged_in.ok("export", "--profile", "dev", "--format", fmt).splitlines()
    assert lines[0] == first_line.format(creds["AccessKeyId"])
    assert [line.split("AWS_", 1)[1].split("=")[0].split(" ")[0] for line in lines] == [
        "ACCESS_KEY_ID",
        "SECRET_ACCESS_KEY",
        "SESSION_TOKEN",
        "CREDENTIAL_EXPIRATION",
    ]


def test_json_format(logged_in):
    """--format json is the credentials object without the Version field."""
    creds = logged_in.export()
    as_json = json.loads(logged_in.ok("export", "--profile", "dev", "--format", "json"))
    assert as_json == {k: v for k, v in creds.items() if k != "Version"}


def test_unknown_format_is_exit_2(logged_in):
    """An unknown --format is a usage error naming the formats."""
    completed = logged_in.run("export", "--profile", "dev", "--format", "yaml")
    assert completed.returncode == 2
    assert "hint: devcreds export --format process|env" in completed.stderr


def test_cmd_refuses_a_value_cmd_would_interpret(logged_in):
    """A cached secret holding '" & calc & "' is no cmd line: exit 2, the secret not shown."""
    logged_in.export()
    path = logged_in.only_file(logged_in.cli_cache)
    data = json.loads(path.read_text())
    secret = 'abc" & calc & "%PATH%'
    data["Credentials"]["SecretAccessKey"] = secret
    path.write_text(json.dumps(data))
    completed = logged_in.run("export", "--profile", "dev", "--format", "cmd")
    assert completed.returncode == 2, completed.stderr
    assert completed.stdout == ""
    assert "hint: devcreds export --format powershell" in completed.stderr
    assert secret not in completed.stderr
    assert logged_in.export()["SecretAccessKey"] == secret  # other formats carry it quoted


def test_export_with_region_adds_the_profiles_region(logged_in):
    logged_in.configure(region="eu-west-1")
    lines = logged_in.ok("export", "-p", "dev", "--format", "env", "--with-region").splitlines()
    assert "export AWS_REGION=eu-west-1" in lines
    assert "export AWS_DEFAULT_REGION=eu-west-1" in lines
    as_json = json.loads(logged_in.ok("export", "-p", "dev", "--format", "json", "--with-region"))
    assert as_json["Region"] == "eu-west-1"


def test_export_with_region_needs_a_region_and_a_format_that_holds_one(logged_in):
    no_region = logged_in.run("export", "-p", "dev", "--format", "env", "--with-region")
    assert no_region.returncode == 2
    assert "profile dev has no region to print" in no_region.stderr
    logged_in.configure(region="eu-west-1")
    process = logged_in.run("export", "-p", "dev", "--with-region")
    assert process.returncode == 2
    assert "a credential_process answer cannot carry a region" in process.stderr


def test_windows_cmd_is_the_aws_clis_name_for_cmd(logged_in):
    """Both through the full CLI and the cached fast path."""
    first = logged_in.ok("export", "--profile", "dev", "--format", "windows-cmd")
    again = logged_in.ok("export", "--profile", "dev", "--format", "windows-cmd")
    assert first == again == logged_in.ok("export", "--profile", "dev", "--format", "cmd")
    assert first.startswith('set "AWS_ACCESS_KEY_ID=ASIA')
