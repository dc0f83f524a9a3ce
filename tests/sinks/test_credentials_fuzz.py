"""Generated credentials files: a write gives botocore exactly the new profile and leaves every
other value as botocore read it, or fails with a DevcredsError and an untouched file; clean
gives back every byte."""

from __future__ import annotations

import configparser
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from devcreds.errors import DevcredsError
from tests.sinks.flow import CREDS, Sinks

VARIABLES = {k: v for k, v in CREDS.items() if k != "AWS_CREDENTIAL_EXPIRATION"}
KEYS = {
    "aws_access_key_id": CREDS["AWS_ACCESS_KEY_ID"],
    "aws_secret_access_key": CREDS["AWS_SECRET_ACCESS_KEY"],
    "aws_session_token": CREDS["AWS_SESSION_TOKEN"],
}
SECTIONS = ["[dev]", "[ dev ]", "[Dev]", "[default]", "[prod]", "[profile dev]"]
OPTIONS = [
    "aws_access_key_id=AKIAUSER",
    "aws_secret_access_key = userSecret",
    "AWS_SESSION_TOKEN\t=\tuserToken",
    "aws_session_token: colonToken",
    "region = eu-west-1",
    "x_security_token_expires =",
    "s3 =\n  max_concurrent_requests = 20",
    "aws_access_key_id = continued\n  next line",
]
OTHER = ["", "# comment", "; semicolon", "  # indented comment"]
BROKEN = ["[dev", "[]", "key", "junk line", "\ufeff[bom]", "[dev]", "region = again"]


@st.composite
def credentials_files(draw):
    """Sections in any order, each with its options and comments; now and then a line botocore
    rejects (a broken header, a line without =, a BOM, a duplicate) somewhere."""
    lines = draw(st.lists(st.sampled_from(OTHER), max_size=2))
    for section in draw(st.lists(st.sampled_from(SECTIONS), unique=True, max_size=3)):
        lines.append(section)
        lines += draw(st.lists(st.sampled_from(OPTIONS + OTHER), unique=True, max_size=5))
    if draw(st.integers(0, 4)) == 0:
        lines.insert(draw(st.integers(0, len(lines))), draw(st.sampled_from(BROKEN)))
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    end = newline if lines and draw(st.booleans()) else ""
    return newline.join(line.replace("\n", newline) for line in lines) + end


def _botocore(text: str) -> dict[str, dict[str, str]] | None:
    """What botocore's RawConfigParser reads (universal newlines), or None if it cannot."""
    parser = configparser.RawConfigParser()
    try:
        parser.read_string(text.replace("\r\n", "\n"))
    except configparser.Error:
        return None
    return {section: dict(parser.items(section)) for section in parser.sections()}


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=credentials_files())
def test_any_credentials_file_is_written_exactly_or_refused(text):
    """botocore sees [dev] with the new keys and every other value unchanged; clean undoes it."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "credentials"
        path.write_bytes(text.encode())
        sinks = Sinks.at(Path(folder) / "home")
        report = sinks.write("credentials", path, VARIABLES, only=["dev"], check=False)
        after = path.read_bytes().decode()
        before = _botocore(text)
        event("refused" if report.failures else "written")
        if report.failures:
            assert isinstance(report.failures[0].error, DevcredsError)
            assert after == text
            return
        assert before is not None  # nothing botocore rejects is ever written to
        seen = _botocore(after)
        assert seen is not None
        expected = {name: dict(values) for name, values in before.items()}
        expected.setdefault("dev", {}).update(KEYS)
        assert seen == expected
        sinks.clean()
        assert path.read_bytes().decode() == text


def test_a_duplicate_option_is_refused_naming_its_line(tmp_path):
    """A file botocore rejects: the error says which line and why, never the line's value."""
    path = tmp_path / "credentials"
    text = "[dev]\naws_secret_access_key = oneValue\naws_secret_access_key = otherValue\n"
    path.write_text(text)
    report = Sinks.at(tmp_path / "home").write(
        "credentials", path, VARIABLES, only=["dev"], check=False
    )
    message = report.failures[0].error.message
    assert "line 3: aws_secret_access_key is set a second time in [dev]" in message
    assert [v for v in ("oneValue", "otherValue") if v in message] == []
    assert path.read_text() == text
