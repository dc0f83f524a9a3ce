"""``devcreds write`` and ``clean`` on real project trees, with real git repositories."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from devcreds.sinks import jsonc

SAMPLES = Path(__file__).parents[1] / "samples"
SOLUTION = {
    "Api/Properties/launchSettings.json": "launchSettings/dotnet__eShop__1.json",
    "Web/Properties/launchSettings.json": "launchSettings/anjoy8__Blog.Core__1.json",
    # (aws-lambda-dotnet 1, with CR-only line endings, is one line to git: tested elsewhere)
    "Lambda/Properties/launchSettings.json": "launchSettings/aws__aws-lambda-dotnet__2.json",
    "Host/Properties/launchSettings.json": "launchSettings/dotnet__aspire-samples__1.json",
    "Api/bin/Debug/Properties/launchSettings.json": "launchSettings/dotnet__eShop__2.json",
    "Web/obj/launchSettings.json": "launchSettings/dotnet__eShop__2.json",
    "node_modules/x/launchSettings.json": "launchSettings/dotnet__eShop__2.json",
}
DECOYS = [p for p in SOLUTION if "/bin/" in p or "/obj/" in p or p.startswith("node_modules")]


def git(cwd, *args):
    return subprocess.run(
        ["git", *args], cwd=cwd, capture_output=True, text=True, check=True,
        env={**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@e", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@e"},
    ).stdout  # fmt: skip


@pytest.fixture
def solution(tmp_path):
    root = tmp_path / "solution"
    for target, sample in SOLUTION.items():
        path = root / target
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(SAMPLES / sample, path)
        path.chmod(0o644)
    return root


@pytest.fixture
def repo(solution):
    git(solution, "init", "-q")
    git(solution, "add", "-A")
    git(solution, "commit", "-qm", "solution")
    return solution


def _env_of(path, profile):
    return jsonc.to_python(jsonc.parse(path.read_text(encoding="utf-8")))["profiles"][profile].get(
        "environmentVariables", {}
    )


def test_recursive_write_diff_shows_only_credential_lines(logged_in, repo):
    """On a committed solution, git diff after the write has only credential lines (and commas)."""
    logged_in.ok(
        "write",
        "launchsettings",
        "--recursive",
        ".",
        "--allow-tracked",
        "--profile",
        "dev",
        cwd=repo,
    )
    diff = git(repo, "diff", "-U0")
    changed = [
        line for line in diff.splitlines() if line[:1] in "+-" and line[:3] not in ("+++", "---")
    ]
    assert changed
    for line in changed:
        if line.startswith("-"):
            assert any(
                added == line[1:].split("//")[0].rstrip() + ","
                or added.startswith(line[1:].rstrip() + ",")
                for added in [c[1:] for c in changed if c.startswith("+")]
            ), line
        else:
            assert (
                '"AWS_' in line
                or line.strip("+ ,") in ("}", '"environmentVariables": {')
                or line.endswith(",")
            ), line


def test_recursive_write_skips_bin_obj_and_node_modules(logged_in, solution):
    """Build output and dependencies are never written."""
    before = {p: (solution / p).read_bytes() for p in DECOYS}
    logged_in.ok("write", "launchsettings", "--recursive", str(solution), "--profile", "dev")
    assert {p: (solution / p).read_bytes() for p in DECOYS} == before
    creds = logged_in.export()
    assert (
        _env_of(solution / "Web/Properties/launchSettings.json", "Blog.Core")["AWS_SESSION_TOKEN"]
        == creds["SessionToken"]
    )


def test_clean_all_leaves_git_diff_empty(logged_in, repo):
    """clean --all after a write: git shows nothing at all."""
    logged_in.ok(
        "write",
        "launchsettings",
        "--recursive",
        ".",
        "--allow-tracked",
        cwd=repo,
        AWS_PROFILE="dev",
    )
    logged_in.ok("clean", "--all")
    assert git(repo, "status", "--porcelain") == ""


def test_second_write_changes_zero_bytes(logged_in, solution):
    """The same credentials written twice: the second run leaves every byte as it was."""
    project = solution / "Web"
    logged_in.ok("write", "launchsettings", "--profile", "dev", cwd=project)
    before = (project / "Properties/launchSettings.json").read_bytes()
    out = logged_in.run("write", "launchsettings", "--profile", "dev", cwd=project)
    assert "unchanged" in out.stderr
    assert (project / "Properties/launchSettings.json").read_bytes() == before


def test_launch_profile_and_region_options(logged_in, solution):
    """--launch-profile limits the profiles; --with-region adds AWS_REGION from the profile."""
    logged_in.configure(region="eu-west-1")
    path = solution / "Web/Properties/launchSettings.json"
    logged_in.ok(
        "write",
        "launchsettings",
        str(path),
        "--launch-profile",
        "IIS Express",
        "--with-region",
        "--profile",
        "dev",
    )
    assert _env_of(path, "IIS Express")["AWS_REGION"] == "eu-west-1"
    assert "AWS_ACCESS_KEY_ID" not in _env_of(path, "Blog.Core")


def test_tracked_file_is_refused(logged_in, repo):
    """A file git tracks is refused (exit 6) with the options; the file is untouched."""
    path = repo / "Web/Properties/launchSettings.json"
    before = path.read_bytes()
    completed = logged_in.run("write", "launchsettings", "--profile", "dev", cwd=repo / "Web")
    assert completed.returncode == 6
    assert "git tracks" in completed.stderr
    assert "--allow-tracked" in completed.stderr
    assert ".env" in completed.stderr
    assert path.read_bytes() == before


def test_untracked_file_is_written_with_a_warning(logged_in, solution):
    """In a repository, an untracked file that git does not ignore: written, with a warning."""
    git(solution, "init", "-q")
    completed = logged_in.run("write", "launchsettings", "--profile", "dev", cwd=solution / "Web")
    assert completed.returncode == 0
    assert "warning: git does not ignore" in completed.stderr


def test_ignored_file_gets_no_warning(logged_in, solution):
    """A file the repository ignores is written silently."""
    git(solution, "init", "-q")
    (solution / ".gitignore").write_text("launchSettings.json\n")
    completed = logged_in.run("write", "launchsettings", "--profile", "dev", cwd=solution / "Web")
    assert completed.returncode == 0
    assert "warning" not in completed.stderr


def test_works_without_git_installed(logged_in, solution):
    """With no git on PATH the write still happens."""
    bare = Path(sys.executable).parent
    completed = logged_in.run(
        "write", "launchsettings", "--profile", "dev", cwd=solution / "Web", PATH=str(bare)
    )
    assert completed.returncode == 0, completed.stderr
    assert "AWS_ACCESS_KEY_ID" in (solution / "Web/Properties/launchSettings.json").read_text(
        encoding="utf-8"
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            '{\n  "profiles": {\n    "p": { "a": 1,, }\n  }\n}',
            "not valid JSON: expected a name in double quotes at line 3, column 19",
        ),
        ('{"profiles": [1]}', '"profiles" is not an object'),
        (
            '{"profiles": {"p": {"environmentVariables": "x"}}}',
            "environmentVariables of launch profile",
        ),
    ],
)
def test_bad_file_is_exit_6_and_untouched(logged_in, tmp_path, content, message):
    """Invalid JSON (with line and column) or a wrong shape: exit 6, the file as it was."""
    path = tmp_path / "launchSettings.json"
    path.write_text(content)
    completed = logged_in.run("write", "launchsettings", str(path), "--profile", "dev")
    assert completed.returncode == 6
    assert message in completed.stderr
    assert str(path) in completed.stderr
    assert path.read_text() == content
    assert "Traceback" not in completed.stderr


def test_missing_default_file_says_where_it_looked(logged_in, tmp_path):
    """Without Properties/launchSettings.json here, the error names the folder searched."""
    completed = logged_in.run("write", "launchsettings", "--profile", "dev", cwd=tmp_path)
    assert completed.returncode == 6
    assert f"looked in {tmp_path}" in completed.stderr


def test_folder_and_read_only_file(logged_in, tmp_path, solution):
    """A folder in place of the file, and a read-only file: exit 6 each, nothing written."""
    assert (
        logged_in.run("write", "launchsettings", str(tmp_path), "--profile", "dev").returncode == 6
    )
    path = solution / "Web/Properties/launchSettings.json"
    path.chmod(0o444)
    before = path.read_bytes()
    completed = logged_in.run("write", "launchsettings", str(path), "--profile", "dev")
    assert completed.returncode == 6
    assert "read-only" in completed.stderr
    assert path.read_bytes() == before


def test_eight_writers_at_once_leave_one_complete_set(logged_in, solution):
    """Eight concurrent writes of one file: it parses and holds one full set of credentials."""
    path = solution / "Web/Properties/launchSettings.json"
    processes = [
        logged_in.popen("write", "launchsettings", str(path), "--profile", "dev") for _ in range(8)
    ]
    assert [p.wait(timeout=60) for p in processes] == [0] * 8
    creds = logged_in.export()
    env = _env_of(path, "Blog.Core")
    assert (env["AWS_ACCESS_KEY_ID"], env["AWS_SESSION_TOKEN"]) == (
        creds["AccessKeyId"],
        creds["SessionToken"],
    )
    assert path.read_text(encoding="utf-8").count("AWS_SECRET_ACCESS_KEY") == 3


def test_status_lists_written_files_and_logout_clean_removes_them(logged_in, solution):
    """status --json names each file written; logout --clean takes the credentials out."""
    path = solution / "Web/Properties/launchSettings.json"
    original = path.read_bytes()
    logged_in.ok("write", "launchsettings", str(path), "--profile", "dev")
    sinks = json.loads(logged_in.ok("status", "--json"))["sinks"]
    assert [(s["path"], s["kind"], s["profile"], s["valid"]) for s in sinks] == [
        (str(path), "launchsettings", "dev", True)
    ]
    logged_in.ok("logout", "--profile", "dev", "--clean")
    assert path.read_bytes() == original
    assert json.loads(logged_in.run("status", "--json").stdout)["sinks"] == []


def test_clean_unknown_file_is_a_usage_error(logged_in, tmp_path):
    """Cleaning a file devcreds never wrote says so."""
    completed = logged_in.run("clean", str(tmp_path / "x.json"))
    assert completed.returncode == 2
    assert "no record" in completed.stderr


def test_vscode_launch_json(logged_in, tmp_path):
    """write vscode sets env of each launch configuration (jellyfin's ',]' and \\' file);
    the attach configuration, whose env nothing reads, is skipped with a line saying so."""
    folder = tmp_path / ".vscode"
    folder.mkdir()
    shutil.copyfile(SAMPLES / "vscode/jellyfin__jellyfin__1.json", folder / "launch.json")
    (folder / "launch.json").chmod(0o644)
    original = (folder / "launch.json").read_bytes()
    completed = logged_in.run("write", "vscode", "--profile", "dev", cwd=tmp_path)
    assert completed.returncode == 0, completed.stderr
    configurations = jsonc.to_python(jsonc.parse((folder / "launch.json").read_text()))[
        "configurations"
    ]
    assert ["AWS_SESSION_TOKEN" in c.get("env", {}) for c in configurations] == [True, False]
    assert (
        'skipped configuration ".NET Core Attach": attaches to a running process'
        in completed.stderr
    )
    logged_in.ok("clean", str(folder / "launch.json"))
    assert (folder / "launch.json").read_bytes() == original


def test_clean_touches_only_the_profiles_written(logged_in, tmp_path):
    """After a write limited to one launch profile, clean leaves the others' own AWS keys."""
    path = tmp_path / "launchSettings.json"
    path.write_text(
        '{"profiles": {"A": {}, "B": {"environmentVariables": {"AWS_REGION": "mine"}}}}'
    )
    logged_in.ok(
        "write",
        "launchsettings",
        str(path),
        "--launch-profile",
        "A",
        "--with-region",
        "--profile",
        "dev",
        AWS_REGION="eu-west-1",
    )
    logged_in.ok("clean", str(path))
    assert (
        path.read_text()
        == '{"profiles": {"A": {}, "B": {"environmentVariables": {"AWS_REGION": "mine"}}}}'
    )
