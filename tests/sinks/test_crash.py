"""kill -9 at every fsync of a write: the file is old or new, never half; clean undoes it all."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from devcreds.sinks import deliver, record
from tests.sinks.flow import CREDS, NOW, Sinks, creds

ROOT = Path(__file__).parents[2]
SAMPLES = ROOT / "tests" / "samples"
MARKER = "DEVCREDS-TEST-STOPPED"

# The child: the write of a test, stopped for good at its N-th fsync (the parent kills it there).
CHILD = f"""
import json, os, sys
from pathlib import Path
from tests.sinks.flow import Sinks

home, kind, target, variables, only, stop = sys.argv[1:]
calls = 0

def fsync(fd):
    global calls
    calls += 1
    if calls == int(stop):
        print(os.readlink(f"/proc/self/fd/{{fd}}"), flush=True)
        print({MARKER!r}, flush=True)
        sys.stdin.read()  # blocks until the parent kills us
    os.fsync(fd)

Sinks.at(Path(home)).write(
    kind, Path(target), json.loads(variables), only=json.loads(only), fsync=fsync
)
print("the write finished without reaching fsync", stop, flush=True)
"""


def _with_user_key(name: str) -> bytes:
    """eShop's launchSettings.json with a user's own access key in its "http" profile."""
    text = (SAMPLES / "launchSettings" / name).read_bytes().decode("utf-8")
    anchor = '"ASPNETCORE_ENVIRONMENT": "Development"'
    assert anchor in text
    spliced = text.replace(anchor, f'"AWS_ACCESS_KEY_ID": "AKIAUSER",\n          {anchor}', 1)
    return spliced.encode("utf-8")


@dataclass(frozen=True)
class Scenario:
    """One write: the file before it (None: no file), and the fsyncs it makes, in order."""

    id: str
    kind: str
    name: str
    original: bytes | None
    steps: tuple[str, ...]  # "saved", "record" or "temporary": which file each fsync is of
    only: list[str] | None = None
    earlier: dict[str, str] | None = None  # an earlier, completed write (a refresh)
    variables: dict[str, str] | None = None


PLAIN = ("record", "temporary", "record")
REPLACING = ("record", "saved", "temporary", "record", "saved")  # a record before its values
ESHOP = SAMPLES / "launchSettings" / "dotnet__eShop__1.json"
SCENARIOS = [
    Scenario("launchsettings", "launchsettings", "launchSettings.json", ESHOP.read_bytes(), PLAIN),
    Scenario(
        "launchsettings-user-key",
        "launchsettings",
        "launchSettings.json",
        _with_user_key("dotnet__eShop__1.json"),
        REPLACING,
    ),
    Scenario(
        "launchsettings-refresh",
        "launchsettings",
        "launchSettings.json",
        _with_user_key("dotnet__eShop__1.json"),
        REPLACING,
        earlier=creds(1),
        variables=creds(2),
    ),
    Scenario(
        "dotenv",
        "dotenv",
        ".env",
        (SAMPLES / "dotenv" / "fastapi__full-stack-fastapi-template__1.env").read_bytes(),
        PLAIN,
    ),
    Scenario(
        "dotenv-user-keys",
        "dotenv",
        ".env",
        (SAMPLES / "dotenv" / "synthetic__torture.env").read_bytes(),
        REPLACING,
    ),
    Scenario("dotenv-created", "dotenv", ".env", None, PLAIN),
    Scenario(
        "dotenv-refresh",
        "dotenv",
        ".env",
        (SAMPLES / "dotenv" / "synthetic__torture.env").read_bytes(),
        REPLACING,
        earlier=creds(1),
        variables=creds(2),
    ),
    Scenario(
        "credentials-new-section",
        "credentials",
        "credentials",
        (SAMPLES / "ini" / "synthetic__aws_credentials").read_bytes(),
        PLAIN,
        only=["devcreds"],
    ),
    Scenario(
        "credentials-user-keys",
        "credentials",
        "credentials",
        (SAMPLES / "ini" / "synthetic__aws_credentials").read_bytes(),
        REPLACING,
        only=["default"],
    ),
]
BY_ID = {s.id: s for s in SCENARIOS}
STEP_NAMES = {
    PLAIN: ("pending-record", "temporary", "done-record"),
    REPLACING: ("pending-record", "pending-saved", "temporary", "done-record", "done-saved"),
}
CASES = [
    pytest.param(s, n, id=f"{s.id}-{STEP_NAMES[s.steps][n]}")
    for s in SCENARIOS
    for n in range(len(s.steps))
]


@dataclass
class Project:
    home: Path
    folder: Path
    target: Path
    sinks: Sinks

    @property
    def temp_dir(self) -> Path:
        return record.temp_dir(self.sinks.paths)

    def contents(self) -> bytes | None:
        return self.target.read_bytes() if self.target.exists() else None

    def listing(self) -> list[str]:
        return sorted(p.name for p in self.folder.iterdir())


def _project(root: Path, scenario: Scenario) -> Project:
    """A home and a project folder holding the scenario's file, its earlier write done."""
    folder = root / "project"
    folder.mkdir(parents=True)
    target = folder / scenario.name
    if scenario.original is not None:
        target.write_bytes(scenario.original)
    project = Project(root / "home", folder, target, Sinks.at(root / "home"))
    if scenario.earlier is not None:
        project.sinks.write(scenario.kind, target, scenario.earlier, only=scenario.only)
    return project


def _write(project: Project, scenario: Scenario, fsync=os.fsync):
    return project.sinks.write(
        scenario.kind, project.target, scenario.variables, only=scenario.only, fsync=fsync
    )


def _category(project: Project, fsynced: str) -> str:
    path = Path(fsynced)
    state = project.sinks.paths.state
    if path.parent == state / "sinks" and path.name.startswith(f".{record.key(project.target)}"):
        return "record"
    if path.parent == state / "saved" and path.name.startswith(f".{record.key(project.target)}"):
        return "saved"
    if path.name.endswith(".devcreds.tmp") and path.name.startswith(f".{project.target.name}."):
        return "temporary" if path.parent == project.temp_dir else "sibling temporary"
    return f"unexpected: {fsynced}"


def _killed_at(project: Project, scenario: Scenario, stop: int) -> str:
    """Run the scenario's write in a child, SIGKILL it inside its ``stop``-th fsync (1-based);
    the path of the file that fsync was of."""
    env = {**os.environ, "HOME": str(project.home)}  # cwd=ROOT makes `tests` importable
    args = [
        str(project.home),
        scenario.kind,
        str(project.target),
        json.dumps(scenario.variables or CREDS),
        json.dumps(scenario.only),
        str(stop),
    ]
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, *args],
        cwd=ROOT,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        lines = []
        while (line := child.stdout.readline()) and line.strip() != MARKER:
            lines.append(line.strip())
        assert line.strip() == MARKER, (lines, child.stderr.read() if child.poll() else "")
        child.kill()
        assert child.wait(timeout=10) == -9
    finally:
        child.kill()
        child.wait()
        for stream in (child.stdin, child.stdout, child.stderr):
            stream.close()
    return lines[-1]


def _completed(root: Path, scenario: Scenario) -> tuple[bytes | None, bytes | None]:
    """The file before and after the scenario's write, run to completion in another home."""
    project = _project(root, scenario)
    before = project.contents()
    _write(project, scenario)
    return before, project.contents()


def _no_temporaries(project: Project) -> None:
    leftovers = list(project.temp_dir.iterdir()) if project.temp_dir.is_dir() else []
    assert leftovers == []


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.id for s in SCENARIOS])
def test_the_steps_are_every_fsync_a_write_makes(tmp_path, scenario):
    """The crash cases below cover each fsync of each write, in the order the write makes them."""
    project = _project(tmp_path, scenario)
    fsynced: list[str] = []

    def fsync(fd: int) -> None:
        fsynced.append(str(Path(f"/proc/self/fd/{fd}").readlink()))
        os.fsync(fd)

    _write(project, scenario, fsync=fsync)
    assert [_category(project, p) for p in fsynced] == list(scenario.steps)


@pytest.mark.parametrize("follow_up", ["clean", "write-then-clean"])
@pytest.mark.parametrize(("scenario", "stop"), CASES)
def test_kill_at_each_fsync_leaves_old_or_new_and_clean_restores(
    tmp_path, scenario, stop, follow_up
):
    """After SIGKILL in any fsync the file is old or new, and clean restores it leaving nothing."""
    old, new = _completed(tmp_path / "reference", scenario)
    assert old != new
    project = _project(tmp_path / "killed", scenario)
    original = scenario.original

    fsynced = _killed_at(project, scenario, stop + 1)

    assert _category(project, fsynced) == scenario.steps[stop]
    renamed = stop > scenario.steps.index("temporary")
    assert project.contents() == (new if renamed else old)
    assert project.listing() == ([project.target.name] if project.contents() is not None else [])
    if scenario.steps[stop] == "temporary":
        assert Path(fsynced).exists()  # the temporary is in the state folder, out of the project
    records = [i for i, step in enumerate(scenario.steps) if step == "record"]
    pending = records[0] < stop <= records[-1]  # the pending record on disk, not yet completed
    rows, warnings = deliver.written(project.sinks.paths, NOW)
    assert warnings == []
    completed = stop > records[-1]  # killed after the record was completed
    expected_rows = [True] if pending else ([False] if scenario.earlier or completed else [])
    assert [row.interrupted for row in rows] == expected_rows

    if follow_up == "write-then-clean":
        _write(project, scenario)
        assert project.contents() == new
        assert project.listing() == [project.target.name]
        _no_temporaries(project)
    if record.record_file(project.sinks.paths, project.target).exists():
        project.sinks.clean(project.target)
    else:  # killed before anything was recorded: there is nothing to clean
        assert project.sinks.clean().outcomes == []

    assert project.contents() == original
    assert project.listing() == ([project.target.name] if original is not None else [])
    _no_temporaries(project)
    assert not record.record_file(project.sinks.paths, project.target).exists()
    assert deliver.written(project.sinks.paths, NOW) == ([], [])


@pytest.mark.parametrize("scenario", [BY_ID["launchsettings"], BY_ID["dotenv"]], ids=lambda s: s.id)
def test_kill_with_the_temporary_beside_the_file_then_clean_removes_it(tmp_path, scenario):
    """Without a state tmp folder, a temporary killed beside the target is removed by clean."""
    project = _project(tmp_path, scenario)
    project.temp_dir.parent.mkdir(parents=True, exist_ok=True)
    project.temp_dir.write_bytes(b"in the way\n")

    fsynced = _killed_at(project, scenario, scenario.steps.index("temporary") + 1)

    assert _category(project, fsynced) == "sibling temporary"
    sibling = Path(fsynced)
    assert sibling.parent == project.folder
    assert sibling.exists()
    assert project.target.read_bytes() == scenario.original
    assert project.listing() == sorted([project.target.name, sibling.name])

    project.sinks.clean(project.target)

    assert project.target.read_bytes() == scenario.original
    assert project.listing() == [project.target.name]
    assert not record.record_file(project.sinks.paths, project.target).exists()
    assert project.temp_dir.read_bytes() == b"in the way\n"


def _editor_version(text: str) -> str:
    """The user's save: the same launchSettings.json with one more profile."""
    data = json.loads(text)
    data["profiles"]["Editor"] = {
        "commandName": "Executable",
        "executablePath": "saved-by-the-editor",
    }
    return json.dumps(data, indent=2) + "\n"


@pytest.mark.parametrize("how", ["in place", "by rename"])
def test_an_editor_save_during_the_slow_fsync_is_kept(tmp_path, how):
    """A save made during the temporary's fsync is kept: the edit is redone on the new version."""
    project = _project(tmp_path, BY_ID["launchsettings"])
    saved_by_editor = _editor_version(project.target.read_text(encoding="utf-8"))
    saves = []

    def fsync(fd: int) -> None:
        if ".devcreds.tmp" in str(Path(f"/proc/self/fd/{fd}").readlink()) and not saves:
            if how == "in place":
                project.target.write_text(saved_by_editor, encoding="utf-8")
            else:
                swap = project.folder / "editor-swap"
                swap.write_text(saved_by_editor, encoding="utf-8")
                swap.replace(project.target)
            saves.append(how)
        os.fsync(fd)

    project.sinks.write("launchsettings", project.target, fsync=fsync)

    assert saves == [how]
    result = json.loads(project.target.read_text(encoding="utf-8"))
    assert result["profiles"]["Editor"]["executablePath"] == "saved-by-the-editor"
    for name in ("http", "https", "IIS Express"):
        environment = result["profiles"][name]["environmentVariables"]
        assert environment["ASPNETCORE_ENVIRONMENT"] == "Development"
        assert environment["AWS_SESSION_TOKEN"] == CREDS["AWS_SESSION_TOKEN"]
    assert project.listing() == [project.target.name]
    _no_temporaries(project)

    project.sinks.clean(project.target)

    assert project.target.read_text(encoding="utf-8") == saved_by_editor
