"""The kept listing (``devcreds.listcache``): what it keeps, for how long, for which
directory, and that a damaged file is only a miss."""

from __future__ import annotations

import datetime as dt
import json
import stat

import pytest

from devcreds import listcache
from devcreds.awsconfig import SsoSession
from devcreds.errors import AwsRefused
from devcreds.listing import Failure, Listing, Role
from devcreds.paths import Paths

NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
SESSION = SsoSession("corp", "https://d-1234567890.awsapps.com/start", "us-east-1", None)
ROLES = [Role("111111111111", "dev", "Developer"), Role("222222222222", "prod", "ReadOnly")]


@pytest.fixture
def paths(tmp_path) -> Paths:
    return Paths(tmp_path, tmp_path / ".aws" / "config", tmp_path / ".aws" / "credentials")


def _listing(failures: list[Failure] | None = None) -> Listing:
    return Listing(list(ROLES), accounts=2, calls=3, retries=1, failures=failures or [])


def test_a_kept_listing_is_read_back_with_when_it_was_made(paths):
    assert listcache.save(paths, SESSION, _listing(), NOW)
    kept = listcache.load(paths, SESSION, NOW + dt.timedelta(minutes=5))
    assert kept is not None
    assert (kept.roles, kept.accounts, kept.listed_at) == (ROLES, 2, NOW)
    assert (kept.calls, kept.retries, kept.failures) == (0, 0, [])


def test_the_file_is_private_and_holds_only_names(paths):
    listcache.save(paths, SESSION, _listing(), NOW)
    path = listcache.path(paths, SESSION)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    data = json.loads(path.read_text())
    assert set(data) == {"version", "startUrl", "listedAt", "accounts", "roles"}
    assert data["roles"][1] == {
        "accountId": "222222222222",
        "accountName": "prod",
        "roleName": "ReadOnly",
    }


@pytest.mark.parametrize(
    ("age", "served"),
    [
        (dt.timedelta(0), True),
        (listcache.LIFETIME - dt.timedelta(seconds=1), True),
        (listcache.LIFETIME, False),
        (-dt.timedelta(minutes=1), False),  # made "later than now": the clock moved
    ],
)
def test_a_listing_serves_for_its_lifetime(paths, age, served):
    listcache.save(paths, SESSION, _listing(), NOW)
    assert (listcache.load(paths, SESSION, NOW + age) is not None) is served


def test_a_listing_of_another_directory_is_not_served(paths):
    """The session now points at another start URL: what was listed there does not apply."""
    listcache.save(paths, SESSION, _listing(), NOW)
    moved = SESSION._replace(start_url="https://d-9999999999.awsapps.com/start")
    assert listcache.load(paths, moved, NOW) is None


def test_an_incomplete_listing_is_not_kept(paths):
    failure = Failure("333333333333", "ops", AwsRefused("throttled"))
    assert not listcache.save(paths, SESSION, _listing([failure]), NOW)
    assert not listcache.path(paths, SESSION).exists()


def test_sessions_are_kept_apart(paths):
    other = SsoSession("other", SESSION.start_url, "us-east-1", None)
    listcache.save(paths, SESSION, _listing(), NOW)
    assert listcache.load(paths, other, NOW) is None


@pytest.mark.parametrize(
    "text",
    [
        "not json",
        "[]",
        '{"version": 2}',
        '{"version": 1, "startUrl": "https://d-1234567890.awsapps.com/start"}',
        '{"version": 1, "startUrl": "https://d-1234567890.awsapps.com/start", '
        '"listedAt": "yesterday", "accounts": 1, "roles": []}',
        '{"version": 1, "startUrl": "https://d-1234567890.awsapps.com/start", '
        '"listedAt": "2026-12-01T09:00:00Z", "accounts": 1, "roles": [{"accountId": 1}]}',
    ],
)
def test_a_damaged_file_is_a_miss_and_is_replaced(paths, text):
    path = listcache.path(paths, SESSION)
    path.parent.mkdir(parents=True)
    path.write_text(text)
    assert listcache.load(paths, SESSION, NOW) is None
    listcache.save(paths, SESSION, _listing(), NOW)
    assert listcache.load(paths, SESSION, NOW) is not None


def test_forget_removes_it(paths):
    listcache.save(paths, SESSION, _listing(), NOW)
    assert listcache.forget(paths, SESSION)
    assert listcache.load(paths, SESSION, NOW) is None
    assert not listcache.forget(paths, SESSION)
