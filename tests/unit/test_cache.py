"""Cache keys, formats and file handling, checked against the AWS CLI's own examples."""

from __future__ import annotations

import datetime as dt
import json
import stat

import pytest

from devcreds import cache
from devcreds.awsconfig import SsoProfile, SsoSession
from devcreds.paths import Paths

SESSION = SsoSession("my-sso", "https://d-1234567890.awsapps.com/start", "us-east-1", None)
LEGACY = SsoSession(None, "https://d-1234567890.awsapps.com/start", "us-east-1", None)


@pytest.fixture
def paths(tmp_path):
    return Paths(tmp_path, tmp_path / "config", tmp_path / "credentials")


def test_token_key_of_an_sso_session(paths):
    """sha1 of the session name (docs/protocol.md §5.1 example)."""
    assert cache.token_path(paths, SESSION).name == "0ad374308c5a4e22f723adf10145eafad7c4031c.json"


def test_token_key_of_a_legacy_profile(paths):
    """sha1 of the start URL for profiles without sso_session."""
    assert cache.token_path(paths, LEGACY).name == "7487b5b67d5fa1132cf33fa93ae51ef38cc37752.json"


def test_registration_key(paths):
    """botocore's registration key with default JSON separators (§5.2 example)."""
    session = SsoSession(
        "my-sso", "https://d-1234567890.awsapps.com/start", "us-east-1", ("sso:account:access",)
    )
    path = cache.registration_path(paths, session)
    assert path.name == "a8343d65418848d0bc13a5f25cbb32508ceec5d1.json"


def test_role_credentials_key(paths):
    """Compact sorted JSON of roleName, accountId, sessionName (§5.3 example)."""
    profile = SsoProfile("dev", SESSION, "111111111111", "ReadOnly", None)
    path = cache.role_credentials_path(paths, profile)
    assert path.name == "7656329665c70f26bb8dc6f65f498aa9de8da4e0.json"
    assert path.parent == paths.home / ".aws" / "cli" / "cache"


@pytest.mark.parametrize(
    "text",
    [
        "2026-11-26T16:44:41Z",
        "2026-11-26T16:44:41UTC",
        "2026-11-26T16:44:41.000Z",
        "2026-11-26T17:44:41+01:00",
        "2026-11-26T16:44:41",
    ],
)
def test_timestamps_in_every_written_form(text):
    """Z, the old CLI's UTC, fractions and offsets all mean the same instant."""
    assert cache.parse_timestamp(text) == dt.datetime(2026, 11, 26, 16, 44, 41, tzinfo=dt.UTC)


def test_timestamps_are_written_as_the_aws_cli_writes_them():
    """%Y-%m-%dT%H:%M:%SZ, UTC, no fraction."""
    moment = dt.datetime(2026, 11, 26, 17, 44, 41, 123, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    assert cache.format_timestamp(moment) == "2026-11-26T16:44:41Z"


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"{",
        b"[]",
        b'"token"',
        b"\xff\xfe\x00",
        b'{"accessToken": 5, "expiresAt": "2030-01-01T00:00:00Z"}',
        b'{"accessToken": "a", "expiresAt": "tomorrow"}',
        b'{"expiresAt": "2030-01-01T00:00:00Z"}',
        b'{"accessToken": "", "expiresAt": "2030-01-01T00:00:00Z"}',
        b'{"accessToken": "a", "expiresAt": "2030-01-01T00:00:00Z", "refreshToken": ["x"]}',
    ],
)
def test_broken_token_file_counts_as_absent(paths, content):
    """Corrupt or wrongly shaped token files are treated as missing, never a crash."""
    path = cache.token_path(paths, SESSION)
    path.parent.mkdir(parents=True)
    path.write_bytes(content)
    assert cache.load_token(paths, SESSION) is None


def test_token_file_written_by_the_aws_cli_is_read(paths):
    """A token file byte-shaped like the AWS CLI's (old UTC suffix included) loads whole."""
    path = cache.token_path(paths, SESSION)
    path.parent.mkdir(parents=True)
    path.write_text(
        '{"startUrl": "https://d-1234567890.awsapps.com/start", "region": "us-east-1", '
        '"accessToken": "aoa-x", "expiresAt": "2030-01-01T00:00:00UTC", "clientId": "cid", '
        '"clientSecret": "csec", "registrationExpiresAt": "2030-02-01T00:00:00Z", '
        '"refreshToken": "aor-y"}'
    )
    token = cache.load_token(paths, SESSION)
    assert token is not None
    assert token.expires_at == dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
    assert token.refreshable(dt.datetime(2029, 1, 1, tzinfo=dt.UTC))


def test_token_round_trips_in_the_aws_cli_format(paths):
    """What we write has the AWS CLI's keys and timestamp format."""
    token = cache.Token(
        start_url="https://x.awsapps.com/start",
        region="eu-west-1",
        access_token="aoa-secret",
        expires_at=dt.datetime(2030, 1, 1, tzinfo=dt.UTC),
        client_id="cid",
        client_secret="csec",
        registration_expires_at=dt.datetime(2030, 3, 1, tzinfo=dt.UTC),
        refresh_token="aor-secret",
    )
    cache.save_token(paths, SESSION, token)
    written = json.loads(cache.token_path(paths, SESSION).read_text())
    assert written == {
        "startUrl": "https://x.awsapps.com/start",
        "region": "eu-west-1",
        "accessToken": "aoa-secret",
        "expiresAt": "2030-01-01T00:00:00Z",
        "clientId": "cid",
        "clientSecret": "csec",
        "registrationExpiresAt": "2030-03-01T00:00:00Z",
        "refreshToken": "aor-secret",
    }
    assert cache.load_token(paths, SESSION) == token


def test_cache_files_are_private(paths):
    """Cache files are 0600 in 0700 folders."""
    creds = cache.RoleCredentials(
        "ASIAX", "secret", "token", dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
    )
    profile = SsoProfile("dev", SESSION, "111111111111", "ReadOnly", None)
    cache.save_role_credentials(paths, profile, creds)
    path = cache.role_credentials_path(paths, profile)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_role_cache_of_another_provider_is_not_ours(paths):
    """An assume-role cache entry (ProviderType absent or other) is not read as SSO credentials."""
    profile = SsoProfile("dev", SESSION, "111111111111", "ReadOnly", None)
    path = cache.role_credentials_path(paths, profile)
    path.parent.mkdir(parents=True)
    creds = cache.RoleCredentials("ASIAX", "s", "t", dt.datetime(2030, 1, 1, tzinfo=dt.UTC))
    path.write_text(json.dumps({**creds.to_json(), "ProviderType": "assume-role"}))
    assert cache.load_role_credentials(paths, profile) is None


@pytest.mark.parametrize(
    "record",
    [
        cache.Token(
            "u",
            "r",
            "aoa-SECRET",
            dt.datetime(2030, 1, 1, tzinfo=dt.UTC),
            "c",
            "csec-SECRET",
            None,
            "aor-SECRET",
        ),
        cache.Registration("cid", "csec-SECRET", dt.datetime(2030, 1, 1, tzinfo=dt.UTC)),
        cache.RoleCredentials(
            "ASIAX", "key-SECRET", "tok-SECRET", dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
        ),
    ],
)
def test_repr_hides_secrets(record):
    """repr() of a token, registration or credentials shows no secret."""
    assert "SECRET" not in repr(record)
