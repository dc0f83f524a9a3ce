"""Property tests: generated JSONC in every style survives a write and its undo byte for byte."""

from __future__ import annotations

import json
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from devcreds.sinks import jsonc
from tests.sinks.flow import round_trip, write_text

CREDS = {
    "AWS_ACCESS_KEY_ID": "ASIAEXAMPLE0000",
    "AWS_SECRET_ACCESS_KEY": "s3cr3t+/=",
    "AWS_SESSION_TOKEN": "t0k3n/+=",
}
_TOKENS = re.compile(
    r'//[^\r\n]*|/\*.*?\*/|"(?:[^"\\\r\n]|\\.)*"|-?\d+(?:\.\d+)?|true|false|null', re.S
)


@st.composite
def documents(draw):
    newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    unit = draw(st.sampled_from(["  ", "    ", "\t", " "]))
    trailing = draw(st.booleans())
    comment = st.sampled_from(["", " // note", " /* block */"])

    def members(items, depth, inline=False):
        if not items:
            return (
                "{}" if inline or draw(st.booleans()) else "{" + newline + unit * (depth - 1) + "}"
            )
        if inline:
            body = ", ".join(f"{k}: {v}" for k, v in items)
            return "{ " + body + (", " if trailing else " ") + "}"
        lines = []
        for i, (k, v) in enumerate(items):
            comma = "," if i < len(items) - 1 or trailing else ""
            lines.append(f"{unit * depth}{k}: {v}{comma}{draw(comment) if '//' not in v else ''}")
            if draw(st.booleans()):
                lines.append(f"{unit * depth}// a comment line")
        return "{" + newline + newline.join(lines) + newline + unit * (depth - 1) + "}"

    profiles = []
    names = draw(
        st.lists(
            st.sampled_from(["Web", "Api", "IIS Express", "Docker", "tést"]),
            unique=True,
            max_size=4,
        )
    )
    for name in names:
        items = [
            (
                '"commandName"',
                json.dumps(draw(st.sampled_from(["Project", "Docker", "DockerCompose"]))),
            )
        ]
        env = draw(st.sampled_from(["absent", "lines", "inline"]))
        if env != "absent":
            keys = draw(
                st.lists(
                    st.sampled_from(["X", "ASPNETCORE_ENVIRONMENT", "PATH_ÿ", "AWS_REGION"]),
                    unique=True,
                    max_size=3,
                )
            )
            pairs = [(json.dumps(k), json.dumps(f"v-{k}")) for k in keys]
            items.append(('"environmentVariables"', members(pairs, 4, inline=env == "inline")))
        if draw(st.booleans()):
            items.append(('"launchBrowser"', "true"))
        profiles.append((json.dumps(name), members(items, 3)))
    document = members(
        [
            ('"$schema"', '"http://json.schemastore.org/launchsettings.json"'),
            ('"profiles"', members(profiles, 2)),
        ],
        1,
    )
    prefix = "\ufeff" if draw(st.booleans()) else ""
    suffix = newline if draw(st.booleans()) else ""
    return prefix + document + suffix


_TRAILING_COMMA = re.compile(r",(?:\s|//[^\r\n]*|/\*.*?\*/)*[}\]]", re.S)


class _Set:
    def __init__(self, text):
        self.text = write_text("launchsettings", text, CREDS)


_set = _Set


def _is_subsequence(needles, haystack):
    iterator = iter(haystack)
    return all(any(n == h for h in iterator) for n in needles)


@settings(max_examples=300, deadline=None)
@given(documents())
def test_write_then_undo_is_the_identity(text):
    """Any style of file: the undo of a write is the original, byte for byte."""
    _, undone = round_trip("launchsettings", text, CREDS)
    assert undone == text


@settings(max_examples=300, deadline=None)
@given(documents())
def test_write_keeps_every_token_and_style(text):
    """Comments, strings and literals of the original all remain, in order; nothing but the
    file's own newline is used; the result holds the credentials; a second write is a no-op."""
    edit = _set(text)
    assert _is_subsequence(_TOKENS.findall(text), _TOKENS.findall(edit.text))
    newline = jsonc.newline_of(text)
    other_breaks = edit.text.replace(newline, "")
    assert "\r" not in other_breaks
    assert "\n" not in other_breaks
    assert edit.text.startswith("\ufeff") == text.startswith("\ufeff")
    assert edit.text.endswith(newline) == text.endswith(newline)
    if not _TRAILING_COMMA.search(text):
        assert not _TRAILING_COMMA.search(edit.text)
    assert _set(edit.text).text == edit.text
    profiles = jsonc.to_python(jsonc.parse(edit.text))["profiles"]
    for profile in profiles.values():
        if profile["commandName"] != "DockerCompose":
            assert {k: profile["environmentVariables"][k] for k in CREDS} == CREDS
