"""The JSONC editor: parsing, errors with positions, byte-precise inserts and their exact undo."""

from __future__ import annotations

import pytest

from devcreds.sinks import jsonc
from devcreds.sinks.base import ShapeError
from tests.sinks.flow import round_trip, write_text

CREDS = {"AWS_ACCESS_KEY_ID": "ASIAEXAMPLE", "AWS_SESSION_TOKEN": "a+b/c="}


class _Set:
    def __init__(self, text):
        self.text = write_text("launchsettings", text, CREDS)


_set = _Set


@pytest.mark.parametrize(
    ("text", "line", "column"),
    [
        ('{"a": 1,,}', 1, 9),
        ('{\n  "a": "open\n}', 2, 8),
        ("{\r\n  /* never closed\r\n}", 2, 3),
        ('{"a": 1}\n{"b": 2}', 2, 1),
        ("{\r\r  'a': 1\r}", 3, 3),
        ("", 1, 1),
        ('{"a": tru}', 1, 7),
    ],
)
def test_errors_name_line_and_column(text, line, column):
    """Every syntax error says where, in lines and columns a text editor shows."""
    with pytest.raises(jsonc.JsoncError) as exc:
        jsonc.parse(text)
    assert (exc.value.line, exc.value.column) == (line, column)


def test_jsonc_features_parse():
    """Comments, trailing commas, a BOM and VS Code's lenient \\' escape are accepted."""
    text = '\ufeff{ // c\n "a": [1, 2,], /* b */ "s": "it\\\'s", "n": null, }'
    assert jsonc.to_python(jsonc.parse(text)) == {"a": [1, 2], "s": "it's", "n": None}


def test_last_duplicate_key_wins():
    """As in System.Text.Json, the last of duplicate keys is the value."""
    assert jsonc.to_python(jsonc.parse('{"a": 1, "a": 2}')) == {"a": 2}


def test_append_after_last_member_copies_its_indentation():
    """New members follow the last one at its indentation; only a comma changes on its line."""
    text = '{\n  "profiles": {\n    "p": {\n      "environmentVariables": {\n        "X": "1"\n      }\n    }\n  }\n}\n'
    assert _set(text).text == (
        '{\n  "profiles": {\n    "p": {\n      "environmentVariables": {\n        "X": "1",\n'
        '        "AWS_ACCESS_KEY_ID": "ASIAEXAMPLE",\n        "AWS_SESSION_TOKEN": "a+b/c="\n'
        "      }\n    }\n  }\n}\n"
    )


def test_missing_environment_object_is_created_expanded():
    """A profile without environmentVariables gets one, one level in, file's newline."""
    text = (
        '{\r\n\t"profiles": {\r\n\t\t"p": {\r\n\t\t\t"commandName": "Project"\r\n\t\t}\r\n\t}\r\n}'
    )
    assert _set(text).text == (
        '{\r\n\t"profiles": {\r\n\t\t"p": {\r\n\t\t\t"commandName": "Project",\r\n'
        '\t\t\t"environmentVariables": {\r\n\t\t\t\t"AWS_ACCESS_KEY_ID": "ASIAEXAMPLE",\r\n'
        '\t\t\t\t"AWS_SESSION_TOKEN": "a+b/c="\r\n\t\t\t}\r\n\t\t}\r\n\t}\r\n}'
    )


def test_empty_object_is_expanded():
    """ "environmentVariables": {} becomes a multi-line object with the brace in place."""
    text = '{\n  "profiles": {\n    "p": {\n      "environmentVariables": {}\n    }\n  }\n}'
    assert _set(text).text == (
        '{\n  "profiles": {\n    "p": {\n      "environmentVariables": {\n'
        '        "AWS_ACCESS_KEY_ID": "ASIAEXAMPLE",\n        "AWS_SESSION_TOKEN": "a+b/c="\n'
        "      }\n    }\n  }\n}"
    )


def test_one_line_object_stays_on_one_line():
    """A single-line environment object gets the members inline."""
    text = '{"profiles": {"p": {"environmentVariables": { "X": "1" }}}}'
    assert _set(text).text == (
        '{"profiles": {"p": {"environmentVariables": { "X": "1", '
        '"AWS_ACCESS_KEY_ID": "ASIAEXAMPLE", "AWS_SESSION_TOKEN": "a+b/c=" }}}}'
    )


def test_trailing_comma_style_is_kept():
    """If the last member has a trailing comma, the new ones do too."""
    text = '{"profiles": {"p": {"environmentVariables": {\n  "X": "1",\n}}}}'
    assert _set(text).text == (
        '{"profiles": {"p": {"environmentVariables": {\n  "X": "1",\n'
        '  "AWS_ACCESS_KEY_ID": "ASIAEXAMPLE",\n  "AWS_SESSION_TOKEN": "a+b/c=",\n}}}}'
    )


def test_comment_after_the_last_value_stays_on_its_line():
    """A // comment after the last value keeps its line; members go below it."""
    text = '{"profiles": {"p": {"environmentVariables": {\n  "X": "1" // note\n}}}}'
    assert _set(text).text == (
        '{"profiles": {"p": {"environmentVariables": {\n  "X": "1", // note\n'
        '  "AWS_ACCESS_KEY_ID": "ASIAEXAMPLE",\n  "AWS_SESSION_TOKEN": "a+b/c="\n}}}}'
    )


def test_existing_values_are_replaced_in_place():
    """A key already present keeps its place; only its value changes, to a JSON string."""
    text = '{"profiles": {"p": {"environmentVariables": {"AWS_SESSION_TOKEN": 5, "X": "1"}}}}'
    edited = _set(text).text
    assert edited.startswith(
        '{"profiles": {"p": {"environmentVariables": {"AWS_SESSION_TOKEN": "a+b/c=", "X": "1"'
    )


@pytest.mark.parametrize(
    "text",
    [
        '{"profiles": {"p": {"environmentVariables": {}}}}',
        '{"profiles": {"p": {"environmentVariables": {\n}}}}',
        '{"profiles": {"p": {"commandName": "Project"}}}',
        '{"profiles": {"p": {}}}',
        '{\r"profiles": {\r  "p": {\r    "a": 1, // x\r    "environmentVariables": { "X": "1", }\r  }\r}\r}\r',
    ],
)
def test_undo_restores_every_byte(text):
    """Removing what was written gives back the original text exactly."""
    written, cleaned = round_trip("launchsettings", text, CREDS)
    assert (written != text, cleaned) == (True, text)


def test_second_write_is_byte_identical():
    """Writing the same values again changes nothing."""
    edit = _set('{"profiles": {"p": {}}}')
    assert _set(edit.text).text == edit.text


def test_docker_compose_profiles_are_skipped():
    """DockerCompose profiles take no environment."""
    text = '{"profiles": {"c": {"commandName": "DockerCompose"}}}'
    assert _set(text).text == text


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[]", "not a JSON object"),
        ('{"x": 1}', 'no "profiles"'),
        ('{"profiles": []}', '"profiles" is not an object'),
        ('{"profiles": {"p": 3}}', 'profile "p" is not an object'),
        ('{"profiles": {"p": {"environmentVariables": []}}}', "environmentVariables of launch"),
    ],
)
def test_wrong_shapes_are_refused(text, message):
    """Shapes we cannot write into are named, not guessed at."""
    with pytest.raises(ShapeError) as exc:
        _set(text)
    assert message in str(exc.value)
