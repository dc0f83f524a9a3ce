"""Every real launchSettings.json and launch.json sample: precise write, no-op rewrite, exact undo."""

from __future__ import annotations

import difflib
import re
from pathlib import Path

import pytest

from devcreds.sinks import jsonc, jsonfile, launchsettings, vscode

SAMPLES = Path(__file__).parents[1] / "samples"
CREDS = {
    "AWS_ACCESS_KEY_ID": "ASIAEXAMPLE0000",
    "AWS_SECRET_ACCESS_KEY": "s3cr3t+/=",
    "AWS_SESSION_TOKEN": "t0k3n/+=",
    "AWS_CREDENTIAL_EXPIRATION": "2030-01-01T00:00:00Z",
}
CASES = [
    *[
        (p, launchsettings.targets, launchsettings.KEY)
        for p in sorted((SAMPLES / "launchSettings").glob("*.json"))
    ],
    *[(p, vscode.targets, vscode.KEY) for p in sorted((SAMPLES / "vscode").glob("*.json"))],
]
IDS = [f"{p.parent.name}/{p.name}" for p, _, _ in CASES]


_INLINE_OURS = re.compile(r', "(?:{})": "[^"]*"'.format("|".join(CREDS)))


def _edit(path, targets, key):
    text = path.read_bytes().decode("utf-8")
    return text, jsonfile.set_environment(text, targets(), key, CREDS)


def _changed_lines(before, after):
    diff = difflib.ndiff(before.splitlines(), after.splitlines())
    return [line for line in diff if line[:2] in ("- ", "+ ")]


@pytest.mark.parametrize(("path", "targets", "key"), CASES, ids=IDS)
def test_only_credential_lines_change(path, targets, key):
    """Removed lines come back with a comma added; added lines are ours or an env object's braces."""
    text, edit = _edit(path, targets, key)
    changed = _changed_lines(text, edit.text)
    removed = [line[2:] for line in changed if line.startswith("- ")]
    added = [line[2:] for line in changed if line.startswith("+ ")]
    for line in removed:
        comma_added = any(a.startswith(line.split("//")[0].rstrip()) for a in added)
        expanded = line.rstrip().rstrip(",").endswith("{}")
        inline = any(_INLINE_OURS.sub("", a) == line for a in added)
        assert comma_added or expanded or inline, line
    for line in added:
        ours = any(f'"{name}"' in line for name in CREDS)
        structure = line.strip() in ("}", "},", f'"{key}": {{') or line.rstrip().endswith(
            ("{", ",")
        )
        assert ours or structure, line


@pytest.mark.parametrize(("path", "targets", "key"), CASES, ids=IDS)
def test_bom_line_endings_and_final_newline_are_kept(path, targets, key):
    """The BOM, the line-ending style and the final-newline state survive the write."""
    text, edit = _edit(path, targets, key)
    newline = jsonc.newline_of(text)
    assert edit.text.startswith("\ufeff") == text.startswith("\ufeff")
    assert edit.text.endswith(("\n", "\r")) == text.endswith(("\n", "\r"))
    assert "\r" not in edit.text.replace(newline, "")
    assert "\n" not in edit.text.replace(newline, "")


@pytest.mark.parametrize(("path", "targets", "key"), CASES, ids=IDS)
def test_comments_survive(path, targets, key):
    """Every comment of the original is still in the result."""
    text, edit = _edit(path, targets, key)
    for comment in [line.strip() for line in text.splitlines() if line.strip().startswith("//")]:
        assert comment in edit.text


@pytest.mark.parametrize(("path", "targets", "key"), CASES, ids=IDS)
def test_second_write_changes_nothing_and_undo_restores(path, targets, key):
    """A second write is byte-identical; removing our keys gives back the sample exactly."""
    text, edit = _edit(path, targets, key)
    assert jsonfile.set_environment(edit.text, targets(), key, CREDS).text == edit.text
    undone = jsonfile.remove_environment(
        edit.text, targets(), key, list(CREDS), edit.created, edit.filled
    )
    assert undone == text


def test_docker_compose_only_file_is_left_alone():
    """eShop's Docker Compose launch profile gets no environment."""
    path = SAMPLES / "launchSettings" / "dotnet__eShop__3.json"
    text, edit = _edit(path, launchsettings.targets, launchsettings.KEY)
    assert edit.text == text
