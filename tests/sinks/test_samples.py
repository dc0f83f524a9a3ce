"""Every real launchSettings.json and launch.json sample: precise write, no-op rewrite, exact undo."""

from __future__ import annotations

import difflib
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from devcreds.sinks import jsonc
from tests.sinks.flow import CREDS, Sinks

SAMPLES = Path(__file__).parents[1] / "samples"
CASES = [
    *[(p, "launchsettings", "environmentVariables") for p in sorted((SAMPLES / "launchSettings").glob("*.json"))],
    *[(p, "vscode", "env") for p in sorted((SAMPLES / "vscode").glob("*.json"))],
]  # fmt: skip
IDS = [f"{p.parent.name}/{p.name}" for p, _, _ in CASES]


_INLINE_OURS = re.compile(r', "(?:{})": "[^"]*"'.format("|".join(CREDS)))


@dataclass
class Written:
    text: str  # what the write produced


@pytest.fixture
def edit(tmp_path):
    """Write CREDS into a copy of a sample through the sink flow; (original, result, copy)."""

    def run(path, kind):
        copy = tmp_path / "project" / path.name
        copy.parent.mkdir(exist_ok=True)
        shutil.copyfile(path, copy)
        sinks = Sinks.at(tmp_path / "home")
        sinks.write(kind, copy)
        text = path.read_bytes().decode("utf-8")
        return text, Written(copy.read_bytes().decode("utf-8")), copy, sinks

    return run


def _changed_lines(before, after):
    diff = difflib.ndiff(before.splitlines(), after.splitlines())
    return [line for line in diff if line[:2] in ("- ", "+ ")]


@pytest.mark.parametrize(("path", "kind", "key"), CASES, ids=IDS)
def test_only_credential_lines_change(edit, path, kind, key):
    """Removed lines come back with a comma added; added lines are ours or an env object's braces."""
    text, edit, _, _ = edit(path, kind)
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


@pytest.mark.parametrize(("path", "kind", "key"), CASES, ids=IDS)
def test_bom_line_endings_and_final_newline_are_kept(edit, path, kind, key):
    """The BOM, the line-ending style and the final-newline state survive the write."""
    text, edit, _, _ = edit(path, kind)
    newline = jsonc.newline_of(text)
    assert edit.text.startswith("\ufeff") == text.startswith("\ufeff")
    assert edit.text.endswith(("\n", "\r")) == text.endswith(("\n", "\r"))
    assert "\r" not in edit.text.replace(newline, "")
    assert "\n" not in edit.text.replace(newline, "")


@pytest.mark.parametrize(("path", "kind", "key"), CASES, ids=IDS)
def test_comments_survive(edit, path, kind, key):
    """Every comment of the original is still in the result."""
    text, edit, _, _ = edit(path, kind)
    for comment in [line.strip() for line in text.splitlines() if line.strip().startswith("//")]:
        assert comment in edit.text


@pytest.mark.parametrize(("path", "kind", "key"), CASES, ids=IDS)
def test_second_write_changes_nothing_and_clean_restores(edit, path, kind, key):
    """A second write is byte-identical; clean gives back the sample exactly."""
    _, edit, copy, sinks = edit(path, kind)
    assert sinks.write(kind, copy).outcomes[0].changed is False
    assert copy.read_bytes() == edit.text.encode("utf-8")
    sinks.clean()  # every record (a Docker Compose-only file has none)
    assert copy.read_bytes() == path.read_bytes()


def test_docker_compose_only_file_is_left_alone(edit):
    """eShop's Docker Compose launch profile gets no environment."""
    path = SAMPLES / "launchSettings" / "dotnet__eShop__3.json"
    text, edit, _, _ = edit(path, "launchsettings")
    assert edit.text == text
