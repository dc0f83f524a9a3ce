"""The record of written files: damaged entries are dropped, never a crash; no secret in it."""

from __future__ import annotations

import json

import pytest

from devcreds.paths import Paths
from devcreds.sinks import registry


@pytest.fixture
def paths(tmp_path):
    return Paths(tmp_path, tmp_path / "config", tmp_path / "credentials")


def _record(path="/p/launchSettings.json"):
    return registry.Record(
        path,
        "launchsettings",
        "dev",
        ["AWS_ACCESS_KEY_ID"],
        "2030-01-01T00:00:00Z",
        "2030-01-01T01:00:00Z",
    )


def test_remember_replaces_the_record_of_the_same_file(paths):
    """One record per file and kind; the newest wins."""
    registry.remember(paths, [_record()])
    registry.remember(paths, [_record(), _record("/q/launchSettings.json")])
    assert [r.path for r in registry.load(paths)] == [
        "/p/launchSettings.json",
        "/q/launchSettings.json",
    ]


@pytest.mark.parametrize(
    "entry",
    [
        {"path": 1},
        {
            "path": "/x",
            "kind": "k",
            "profile": "p",
            "keys": "AWS",
            "written_at": "x",
            "expires_at": "2030-01-01T00:00:00Z",
        },
        {
            "path": "/x",
            "kind": "k",
            "profile": "p",
            "keys": [],
            "written_at": "x",
            "expires_at": "soon",
        },
        "not an object",
    ],
)
def test_damaged_entries_are_skipped(paths, entry):
    """A hand-edited or damaged entry is ignored; the good ones still load."""
    paths.state.mkdir(parents=True)
    good = {
        "path": "/ok",
        "kind": "dotenv",
        "profile": "dev",
        "keys": ["A"],
        "written_at": "t",
        "expires_at": "2030-01-01T00:00:00Z",
    }
    (paths.state / "sinks.json").write_text(json.dumps({"sinks": [entry, good]}))
    assert [r.path for r in registry.load(paths)] == ["/ok"]


def test_record_file_is_private(paths):
    """sinks.json is 0600 in a 0700 folder."""
    registry.remember(paths, [_record()])
    assert (paths.state / "sinks.json").stat().st_mode & 0o777 == 0o600
    assert paths.state.stat().st_mode & 0o777 == 0o700
