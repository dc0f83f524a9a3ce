"""Damaged cache files are absent, timestamps parse one way, refresh windows fit the lifetime."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys

import pytest

from devcreds import cache, fastpath, keys
from devcreds.awsconfig import RoleHop, SsoProfile, SsoSession
from devcreds.paths import Paths

SESSION = SsoSession("corp", "https://d-1234567890.awsapps.com/start", "us-east-1", None)
PROFILE = SsoProfile("dev", SESSION, "111111111111", "Developer", None)
HOP = RoleHop("deploy", "arn:aws:iam::222222222222:role/Deploy", "dev", None, None, 900, None)


@pytest.fixture
def paths(tmp_path):
    return Paths(tmp_path, tmp_path / "config", tmp_path / "credentials")


@pytest.fixture
def now():
    """This moment (tests may run minutes after collection)."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def _stamp(moment):
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _role_file(expiration, **credentials):
    fields = {"AccessKeyId": "ASIAX", "SecretAccessKey": "s", "SessionToken": "t"}
    return {
        "ProviderType": "sso",
        "Credentials": {**fields, "Expiration": expiration, **credentials},
    }


@pytest.mark.parametrize(
    ("text", "instant"),
    [
        ("2026-11-26T16:44:41Z", dt.datetime(2026, 11, 26, 16, 44, 41, tzinfo=dt.UTC)),
        ("2026-11-26T16:44:41.5+01:00", dt.datetime(2026, 11, 26, 15, 44, 41, 500000, dt.UTC)),
        (
            "2026-11-26 16:44:41.123456789-0130",
            dt.datetime(2026, 11, 26, 18, 14, 41, 123456, dt.UTC),
        ),
        ("2024-02-29T00:00:00UTC", dt.datetime(2024, 2, 29, tzinfo=dt.UTC)),
        ("0001-01-01T00:00:00Z", dt.datetime(1, 1, 1, tzinfo=dt.UTC)),
        ("9999-12-31T23:59:59Z", dt.datetime(9999, 12, 31, 23, 59, 59, tzinfo=dt.UTC)),
    ],
)
def test_timestamps_that_parse(text, instant):
    """Forms the AWS CLI and SDKs write, to the edges of what datetime holds."""
    assert cache.parse_timestamp(text) == instant


@pytest.mark.parametrize(
    "text",
    [
        "0001-01-01T00:00:00+01:00",  # year 0 in UTC: OverflowError for datetime.astimezone
        "9999-12-31T23:59:59-01:00",  # year 10000 in UTC
        "2099-13-45T99:99:99Z",
        "2023-02-29T00:00:00Z",
        "2026-11-26T24:00:00Z",
        "2026-11-26T16:44:41+24:00",
        "٢٠٢٦-11-26T16:44:41Z",  # digits int() takes, in another script
        "2026-11-26T16:44:41.Z",
        "2026-11-26T16:44:41.1234567890Z",
        "2026-11-26T16:44:41 Z",
        "2026-11-26",
        "tomorrow",
        "",
    ],
)
def test_impossible_timestamps_are_value_errors(text):
    """An impossible or out-of-range instant is a ValueError (never OverflowError) and None
    for the fast path's parser, which is the same function."""
    assert keys.parse_timestamp(text) is None
    with pytest.raises(ValueError, match="not a timestamp"):
        cache.parse_timestamp(text)


DAMAGED = [
    b"[" * 100_000 + b"]" * 100_000,  # RecursionError in json
    b'{"a":' * 100_000 + b"1" + b"}" * 100_000,
    b'{"accessToken": "x", "expiresAt": 5}',
    b'{"accessToken": null, "expiresAt": "2099-01-01T00:00:00Z"}',
    b'{"accessToken": "x", "expiresAt": "0001-01-01T00:00:00+01:00"}',
    b'{"accessToken": "x", "expiresAt": "9999-12-31T23:59:59-01:00"}',
    b'{"accessToken": "x", "expiresAt": "2099-13-45T99:99:99Z"}',
    b'{"accessToken": "x", "expiresAt": 1e999}',
    b'{"accessToken": "x", "expiresAt": ' + b"9" * 5000 + b"}",
    b'{"accessToken": "\\ud800", "expiresAt": "2099-01-01T00:00:00Z"}',
    b'{"accessToken": "a\\nb", "expiresAt": "2099-01-01T00:00:00Z"}',
    b'{"accessToken": "x", "expiresAt": "2099-01-01T00:00:00Z", "clientId": ["c"]}',
    b'{"accessToken": "x", "expiresAt": "2099-01-01T00:00:00Z", "registrationExpiresAt": 7}',
    b'["accessToken", "expiresAt"]',
    b"\xff\xfe\x00\x00",
    b" " * (keys.MAX_BYTES + 1) + b"{}",
]


@pytest.mark.parametrize("content", DAMAGED, ids=range(len(DAMAGED)))
def test_damaged_token_and_registration_files_are_absent(paths, content):
    """Deep nesting, wrong types, impossible dates, huge numbers, unprintable text: absent."""
    for path, load in (
        (cache.token_path(paths, SESSION), cache.load_token),
        (cache.registration_path(paths, SESSION), cache.load_registration),
    ):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        assert load(paths, SESSION) is None
        assert path.read_bytes() == content


ROLE_DAMAGE = [
    {"ProviderType": "sso", "Credentials": None},
    {"ProviderType": "sso", "Credentials": ["AccessKeyId"]},
    {"ProviderType": "sso", "Credentials": "AccessKeyId"},
    {"ProviderType": None, "Credentials": {}},
    _role_file("2099-13-45T99:99:99Z"),
    _role_file("9999-12-31T23:59:59-01:00"),
    _role_file(4102444800),
    _role_file("2099-01-01T00:00:00Z", SessionToken="x\u2028y"),
    _role_file("2099-01-01T00:00:00Z", AccountId=["111111111111"]),
    _role_file("2099-01-01T00:00:00Z", AccessKeyId=""),
]


@pytest.mark.parametrize("data", ROLE_DAMAGE, ids=range(len(ROLE_DAMAGE)))
def test_damaged_role_caches_are_absent_on_both_paths(paths, data):
    """What the full CLI reads as absent the fast path does not serve either."""
    for path, load, key in (
        (cache.role_credentials_path(paths, PROFILE), cache.load_role_credentials, PROFILE),
        (cache.assumed_role_path(paths, HOP), cache.load_assumed_role, HOP),
    ):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(data))
        assert load(paths, key) is None
        assert fastpath._fresh_fields(str(path), str(paths.state)) is None


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")
def test_a_fifo_in_place_of_a_cache_file_is_absent_without_waiting(paths):
    """A FIFO is refused at once instead of waited on (no writer will ever come)."""
    path = cache.role_credentials_path(paths, PROFILE)
    path.parent.mkdir(parents=True)
    os.mkfifo(path)
    assert cache.load_role_credentials(paths, PROFILE) is None
    assert fastpath._fresh_fields(str(path), str(paths.state)) is None


def test_a_folder_in_place_of_a_cache_file_is_absent(paths):
    """A folder where the token belongs reads as no token."""
    cache.token_path(paths, SESSION).mkdir(parents=True)
    assert cache.load_token(paths, SESSION) is None


@pytest.mark.parametrize(
    ("remaining", "lifetime", "fresh"),
    [
        (901, None, True),
        (900, None, False),
        (900, 3600, False),
        (201, 600, True),
        (200, 600, False),
        (301, 900, True),
        (299, 900, False),
        (901, 60, True),
    ],
)
def test_the_window_is_the_smaller_of_15_minutes_and_a_third_of_the_lifetime(
    remaining, lifetime, fresh
):
    """min(15 minutes, lifetime / 3), 15 minutes when the lifetime is unknown."""
    assert keys.fresh(remaining, lifetime) is fresh


def _write_aws_cli_role_cache(paths, expiration, written):
    """A role cache file as the AWS CLI leaves it: no lifetime note, mtime when it was written."""
    path = cache.role_credentials_path(paths, PROFILE)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(_role_file(_stamp(expiration))))
    os.utime(path, (written.timestamp(), written.timestamp()))
    return path


def test_a_short_lived_aws_cli_cache_is_fresh_by_its_mtime(now, paths):
    """10-minute credentials written 2 minutes ago have 8 minutes left: fresh on both paths."""
    path = _write_aws_cli_role_cache(
        paths, now + dt.timedelta(minutes=8), now - dt.timedelta(minutes=2)
    )
    creds = cache.load_role_credentials(paths, PROFILE)
    assert creds is not None
    assert creds.lifetime == dt.timedelta(minutes=10)
    assert creds.fresh(dt.datetime.now(dt.UTC))
    assert fastpath._fresh_fields(str(path), str(paths.state)) is not None


def test_a_long_lived_aws_cli_cache_with_8_minutes_left_is_renewed(now, paths):
    """One-hour credentials written 52 minutes ago: less than 15 minutes left, not fresh."""
    path = _write_aws_cli_role_cache(
        paths, now + dt.timedelta(minutes=8), now - dt.timedelta(minutes=52)
    )
    creds = cache.load_role_credentials(paths, PROFILE)
    assert creds is not None
    assert not creds.fresh(dt.datetime.now(dt.UTC))
    assert fastpath._fresh_fields(str(path), str(paths.state)) is None


def test_the_lifetime_devcreds_noted_outlives_a_rewrite_of_the_file(now, paths):
    """Credentials devcreds fetched for an hour keep their hour when the file is rewritten
    (mtime now) with 10 minutes left: the 15-minute window applies, on both paths."""
    creds = cache.RoleCredentials("ASIAX", "s", "t", now + dt.timedelta(hours=1))
    cache.save_role_credentials(paths, PROFILE, creds)
    path = cache.role_credentials_path(paths, PROFILE)
    path.write_text(json.dumps(_role_file(_stamp(now + dt.timedelta(minutes=10)))))
    loaded = cache.load_role_credentials(paths, PROFILE)
    assert loaded is not None
    assert not loaded.fresh(dt.datetime.now(dt.UTC))
    assert fastpath._fresh_fields(str(path), str(paths.state)) is None


def test_the_note_binds_to_what_was_issued(now, paths):
    """Another tool's new credentials in the same file do not inherit devcreds' note."""
    creds = cache.RoleCredentials("ASIAX", "s", "old-token", now + dt.timedelta(hours=1))
    cache.save_role_credentials(paths, PROFILE, creds)
    path = cache.role_credentials_path(paths, PROFILE)
    data = _role_file(_stamp(now + dt.timedelta(minutes=10)), SessionToken="new-token")
    path.write_text(json.dumps(data))
    loaded = cache.load_role_credentials(paths, PROFILE)
    assert loaded is not None
    assert loaded.lifetime is not None
    assert loaded.lifetime <= dt.timedelta(minutes=10, seconds=5)  # from the fresh mtime


def test_a_token_keeps_its_lifetime_when_it_is_saved_again(now, paths):
    """A token saved again without a new issue (a dropped refresh token) keeps its lifetime."""
    token = cache.Token(SESSION.start_url, "us-east-1", "aoa", now + dt.timedelta(minutes=10))
    cache.save_token(paths, SESSION, token._replace(lifetime=dt.timedelta(hours=8)))
    loaded = cache.load_token(paths, SESSION)
    assert loaded is not None
    assert loaded.lifetime == dt.timedelta(hours=8)
    assert not loaded.fresh(dt.datetime.now(dt.UTC))
    cache.save_token(paths, SESSION, loaded._replace(refresh_token=None))
    again = cache.load_token(paths, SESSION)
    assert again is not None
    assert again.lifetime == dt.timedelta(hours=8)


def test_short_assumed_role_credentials_are_fresh_for_two_thirds_of_their_life(now, paths):
    """duration_seconds = 900: fetched a moment ago, they are shared, not fetched again."""
    creds = cache.RoleCredentials("ASIAX", "s", "t", now + dt.timedelta(seconds=900))
    cache.save_assumed_role(paths, HOP, creds, "arn:aws:sts::222222222222:assumed-role/Deploy/x")
    loaded = cache.load_assumed_role(paths, HOP)
    assert loaded is not None
    assert loaded.fresh(dt.datetime.now(dt.UTC))
    assert not loaded.fresh(now + dt.timedelta(seconds=700))  # 200 s left of 900


@pytest.mark.parametrize("note", [b"{", b"[]", b'{"of": 1, "seconds": "x"}', b"[" * 100_000])
def test_a_damaged_lifetime_note_falls_back_to_the_mtime(now, paths, note):
    """The lifetime note is a hint: damaged, it is ignored."""
    path = _write_aws_cli_role_cache(
        paths, now + dt.timedelta(minutes=8), now - dt.timedelta(minutes=2)
    )
    note_path = paths.state / "lifetimes" / path.name
    note_path.parent.mkdir(parents=True)
    note_path.write_bytes(note)
    creds = cache.load_role_credentials(paths, PROFILE)
    assert creds is not None
    assert creds.lifetime == dt.timedelta(minutes=10)


def test_an_unwritable_fast_path_note_is_skipped(paths):
    """A file where the state folder belongs: remember() gives up quietly, export goes on."""
    paths.config_file.write_text("[profile dev]\n")
    paths.state.parent.mkdir(parents=True)
    paths.state.write_text("not a folder")
    environ = {"HOME": str(paths.home), "AWS_CONFIG_FILE": str(paths.config_file)}
    fastpath.remember(paths, environ, "dev", str(cache.role_credentials_path(paths, PROFILE)))
    assert paths.state.read_text() == "not a folder"


@pytest.mark.parametrize(
    "note",
    [
        b"[" * 100_000,
        b'{"notes": null}',
        b'{"notes": [null, 5, "x", {"config": []}]}',
        b'{"notes": {"config": "x"}}',
        b"\x00\x01",
    ],
)
def test_a_damaged_fast_path_note_is_no_note(paths, note):
    """The fast path ignores a damaged note, and the full CLI writes a good one over it."""
    paths.config_file.write_text("[profile dev]\n")
    (paths.state).mkdir(parents=True)
    (paths.state / "fastpath.json").write_bytes(note)
    environ = {"HOME": str(paths.home), "AWS_CONFIG_FILE": str(paths.config_file)}
    assert fastpath._cache_file(environ, str(paths.home), "dev") is None
    cache_file = str(cache.role_credentials_path(paths, PROFILE))
    fastpath.remember(paths, environ, "dev", cache_file)
    assert fastpath._cache_file(environ, str(paths.home), "dev") == cache_file


def test_a_note_pointing_outside_the_role_cache_is_not_followed(now, paths):
    """Only a file of ~/.aws/cli/cache can serve, as only those serve the full CLI."""
    paths.config_file.write_text("[profile dev]\n")
    environ = {"HOME": str(paths.home), "AWS_CONFIG_FILE": str(paths.config_file)}
    elsewhere = paths.home / "elsewhere.json"
    elsewhere.write_text(json.dumps(_role_file(_stamp(now + dt.timedelta(hours=1)))))
    fastpath.remember(paths, environ, "dev", str(elsewhere))
    assert fastpath._cache_file(environ, str(paths.home), "dev") is None


def test_the_fast_path_parses_timestamps_without_datetime():
    """keys, which the fast path imports, needs no datetime (a tenth of the fast path's time)."""
    code = "import sys, devcreds.fastpath; print(sorted({'datetime', 'typing'} & set(sys.modules)))"
    completed = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert completed.stdout.strip() == "[]"
