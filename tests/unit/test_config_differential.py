"""devcreds reads the AWS config file exactly as botocore does (a differential test)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from botocore import configloader
from hypothesis import given, settings
from hypothesis import strategies as st

from devcreds import awsconfig

NAMES = st.sampled_from(["default", "dev", "a b", "Dev", "x.y", "prod"])
HEADERS = {
    "plain": lambda n: "default" if n == "default" else f"profile {n}",
    "profile": lambda n: f"profile {n}",
    "quoted": lambda n: f'profile "{n}"',
    "spaced": lambda n: f"profile  {n} ",
}
KEYS = st.sampled_from(["region", "Region", "sso_session", "output", "role_arn"])
VALUES = st.sampled_from(["eu-west-1", "us-east-1 # not a comment", "x", "a=b", ""])


@st.composite
def config_files(draw):
    """Config files with the spellings and orders botocore has rules for."""
    lines = []
    used = set()
    for _ in range(draw(st.integers(1, 5))):
        name = draw(NAMES)
        style = draw(st.sampled_from(sorted(HEADERS)))
        if " " in name and style in ("plain", "profile", "spaced"):
            style = "quoted"  # an unquoted name with a space is not a profile to botocore
        header = HEADERS[style](name)
        if header in used:
            continue  # the same header twice is an error for both readers
        used.add(header)
        lines.append(draw(st.sampled_from(["", "# comment", "; comment"])))
        lines.append(f"[{header}]")
        keys = draw(st.lists(KEYS, max_size=3, unique_by=str.lower))
        for key in keys:
            lines.append(f"{key} = {draw(VALUES)}")
        if draw(st.booleans()):
            lines += ["s3 =", "  max_concurrent_requests = 4"]
        if draw(st.booleans()):
            lines += ["[sso-session corp]" if "sso-session corp" not in used else ""]
            used.add("sso-session corp")
            lines.append("sso_region = us-east-1")
    return "\n".join(lines) + "\n"


def _flat(section):
    return {k: v for k, v in section.items() if isinstance(v, str)}


@settings(max_examples=200, deadline=None)
@given(config_files())
def test_profiles_and_sessions_are_botocores(text):
    """Every profile and sso-session, with every plain value, as botocore's loader has them."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "config"
        path.write_text(text)
        theirs = configloader.load_config(str(path))
        ours = awsconfig.load(path)
    assert {n: _flat(v) for n, v in ours.profiles.items()} == {
        n: _flat(v) for n, v in theirs["profiles"].items()
    }
    assert {n: dict(v) for n, v in ours.sso_sessions.items()} == theirs["sso_sessions"]


def test_the_later_of_default_and_profile_default_wins():
    """[profile default] then [default]: botocore takes the later one, and so does devcreds."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "config"
        path.write_text("[profile default]\nregion = a\n[default]\nregion = b\n")
        assert awsconfig.load(path).profiles["default"]["region"] == "b"
