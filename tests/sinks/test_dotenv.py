""".env edits: values spliced in place, the rest byte for byte, and an exact undo."""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from devcreds.sinks import dotenv
from devcreds.sinks.base import ShapeError
from tests.sinks.flow import round_trip

SAMPLES = Path(__file__).parents[1] / "samples" / "dotenv"
CREDS = {
    "AWS_ACCESS_KEY_ID": "ASIANEW0000",
    "AWS_SECRET_ACCESS_KEY": "new+/secret=",
    "AWS_SESSION_TOKEN": "tok/+=",
    "AWS_CREDENTIAL_EXPIRATION": "2030-01-01T00:00:00Z",
}
FILES = sorted(SAMPLES.glob("*.env"))


def _read(path):
    return path.read_bytes().decode("utf-8")


def test_torture_file_keeps_export_quotes_and_comments():
    """export, quote style, inline comments and look-alike lines inside quotes are untouched."""
    result = dotenv.set_variables(_read(SAMPLES / "synthetic__torture.env"), CREDS)
    lines = result.split("\n")
    assert lines[2] == 'AWS_ACCESS_KEY_ID="ASIANEW0000"'
    assert lines[3] == "export AWS_SECRET_ACCESS_KEY='new+/secret=' # inline comment"
    assert lines[4] == "AWS_SESSION_TOKEN=tok/+="
    assert lines[6] == 'line two AWS_REGION=not-a-key"'
    assert lines[9] == "#AWS_SESSION_TOKEN=commented-out"
    assert lines[-1] == "AWS_CREDENTIAL_EXPIRATION=2030-01-01T00:00:00Z"


def test_crlf_and_bom_are_kept():
    """A CRLF file stays CRLF; a BOM stays first."""
    crlf = dotenv.set_variables(_read(SAMPLES / "synthetic__crlf.env"), CREDS)
    assert "\n" not in crlf.replace("\r\n", "")
    bom = dotenv.set_variables(_read(SAMPLES / "synthetic__bom.env"), CREDS)
    assert bom.startswith("\ufeffAWS_ACCESS_KEY_ID=ASIANEW0000\n")


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_only_credential_lines_change(path):
    """Every line that changed or appeared is one of ours."""
    original = _read(path)
    result = dotenv.set_variables(original, CREDS)
    diff = [
        line
        for line in difflib.ndiff(original.splitlines(), result.splitlines())
        if line[:2] in ("- ", "+ ")
    ]
    assert diff
    assert all(any(name in line for name in CREDS) for line in diff)  # removed lines too


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_second_write_is_a_no_op(path):
    """Writing the same values twice changes nothing the second time."""
    once = dotenv.set_variables(_read(path), CREDS)
    assert dotenv.set_variables(once, CREDS) == once


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_clean_restores_every_sample(path):
    """Write then clean gives back every byte, the user's own AWS values included."""
    original = _read(path)
    written, cleaned = round_trip("dotenv", original, CREDS, name=".env")
    assert (written != original, cleaned) == (True, original)


@settings(max_examples=200, deadline=None)
@given(
    lines=st.lists(
        st.sampled_from(
            [
                "A=1",
                "export B=two",
                "C = 'q'",
                'D="x y" # c',
                "# comment",
                "",
                'M="a\nAWS_SESSION_TOKEN=no"',
                "E=${A}",
            ]
        ),
        max_size=6,
    ),
    newline=st.sampled_from(["\n", "\r\n"]),
    final=st.booleans(),
    bom=st.booleans(),
)
def test_write_and_undo_round_trip(lines, newline, final, bom):
    """Any mix of dotenv styles: the undo of a write is the original."""
    text = ("\ufeff" if bom else "") + newline.join(lines) + (newline if final and lines else "")
    _, cleaned = round_trip("dotenv", text, CREDS, name=".env")
    assert cleaned == text


def test_value_that_needs_quotes_is_quoted():
    """A value with spaces or quotes is double-quoted and escaped, so it reads back the same."""
    result = dotenv.set_variables("", {"X": 'a b"c'})
    assert result == 'X="a b\\"c"\n'


def test_unlocatable_value_is_refused():
    """If the assignment cannot be found on its line, nothing is written."""
    with pytest.raises(ShapeError):
        dotenv.set_variables("AWS_SESSION_TOKEN", CREDS)
