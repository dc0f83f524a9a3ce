"""The git check before a write: tracked files, and files git cannot answer for, are refused."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from pathlib import Path

import pytest

from devcreds.errors import FileError, Refusal
from devcreds.paths import Paths
from devcreds.sinks import deliver, gitcheck
from devcreds.sinks.deliver import Delivery, Report
from devcreds.sinks.gitcheck import GitState
from tests.sinks.flow import CREDS, NOW

AUTHOR = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@e", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@e"}  # fmt: skip


def git(cwd: Path, *args: str) -> str:
    """Run git for the test's set-up, never steered by what a test put in os.environ."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    return subprocess.run(
        ["git", *args], cwd=cwd, capture_output=True, text=True, check=True, env={**clean, **AUTHOR}
    ).stdout


def make_repo(folder: Path, tracked: tuple[str, ...] = ("tracked.env",)) -> Path:
    """A repository with ``tracked`` committed and ``ignored.env`` ignored."""
    folder.mkdir(parents=True)
    git(folder, "init", "-q")
    for name in tracked:
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text("APP=1\n")
    (folder / ".gitignore").write_text("ignored.env\n")
    git(folder, "--literal-pathspecs", "add", "--", ".gitignore", *tracked)
    git(folder, "commit", "-qm", "first")
    return folder


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return make_repo(tmp_path / "repo")


def write(
    tmp_path: Path, *targets: Path, allow_tracked: bool = False, asked: list[int] | None = None
) -> Report:
    """deliver.write of dotenv credentials into ``targets``, as `devcreds write dotenv` does."""
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    paths = Paths(home, home / ".aws" / "config", home / ".aws" / "credentials")

    def credentials() -> Delivery:
        if asked is not None:
            asked.append(1)
        return Delivery(dict(CREDS), "dev", NOW + dt.timedelta(hours=1))

    report = deliver.write(
        paths, "dotenv", list(targets), credentials, now=NOW, allow_tracked=allow_tracked
    )
    if report.failures:  # one file refused: its error, as the CLI reports it
        raise report.failures[0].error
    return report


def git_error(repo: Path) -> str:
    """The first line git itself prints when asked about ``repo``'s files."""
    completed = subprocess.run(
        ["git", "-C", str(repo), "ls-files"], capture_output=True, text=True, check=False
    )
    assert completed.returncode != 0, "the repository was meant to be broken"
    return completed.stderr.splitlines()[0].strip()


def test_tracked_file_is_refused_before_any_login(tmp_path, repo):
    """A tracked file: FileError naming it and --allow-tracked, file untouched, no credentials."""
    path = repo / "tracked.env"
    asked: list[int] = []
    with pytest.raises(FileError) as caught:
        write(tmp_path, path, asked=asked)
    assert caught.value.message.startswith(f"git tracks {path}:")
    assert "--allow-tracked" in (caught.value.hint or "")
    assert path.read_text() == "APP=1\n"
    assert asked == []


def _break_index(repo: Path) -> None:
    (repo / ".git" / "index").write_bytes(b"not an index")


def _break_head(repo: Path) -> None:
    (repo / ".git" / "HEAD").write_bytes(b"garbage\n")


@pytest.mark.parametrize("breakage", [_break_index, _break_head])
@pytest.mark.parametrize("name", ["tracked.env", "new.env", "ignored.env"])
def test_repository_git_cannot_answer_for_is_refused(tmp_path, repo, breakage, name):
    """A repository git cannot read: every file in it is refused, git's own error in the hint."""
    breakage(repo)
    reason = git_error(repo)
    path = repo / name
    asked: list[int] = []
    with pytest.raises(FileError) as caught:
        write(tmp_path, path, asked=asked)
    assert caught.value.exit_code == 6
    assert caught.value.message.startswith(f"git could not tell whether it tracks {path}:")
    assert "one commit away from being published" in caught.value.message
    hint = caught.value.hint or ""
    assert reason in hint
    assert "--allow-tracked" in hint
    assert not path.exists() or path.read_text() == "APP=1\n"
    assert asked == []


def test_dubious_ownership_is_refused_with_gits_reason(tmp_path, repo, monkeypatch):
    """A repository owned by someone else (git's safe.directory refusal): refused, reason shown."""
    if getattr(os, "geteuid", lambda: -1)() != 0:  # Windows has no root
        pytest.skip("handing the repository to another user needs root")
    monkeypatch.setenv("HOME", str(tmp_path))  # no global safe.directory exception
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    for folder, dirs, names in os.walk(repo):
        for name in [*dirs, *names, "."]:
            os.chown(Path(folder) / name, 54321, 54321, follow_symlinks=False)
    assert "dubious ownership" in git_error(repo)
    with pytest.raises(FileError) as caught:
        write(tmp_path, repo / "tracked.env")
    assert "dubious ownership" in (caught.value.hint or "")
    assert "--allow-tracked" in (caught.value.hint or "")


def test_allow_tracked_writes_where_git_cannot_answer(tmp_path, repo):
    """--allow-tracked: a file in a repository git cannot read is written, without warnings."""
    _break_index(repo)
    report = write(tmp_path, repo / "tracked.env", allow_tracked=True)
    assert not report.failures
    assert report.warnings == []
    assert CREDS["AWS_SECRET_ACCESS_KEY"] in (repo / "tracked.env").read_text()


def test_refused_files_do_not_stop_the_others(tmp_path, repo):
    """A tracked file and a broken repository's files are refused one by one (git's reason in
    each hint); a file outside any repository is still written."""
    broken = make_repo(tmp_path / "broken")
    _break_index(broken)
    plain = tmp_path / "plain"
    plain.mkdir()
    targets = [repo / "tracked.env", broken / "tracked.env", broken / "new.env", plain / ".env"]
    home = tmp_path / "home"
    paths = Paths(home, home / ".aws" / "config", home / ".aws" / "credentials")
    report = deliver.write(
        paths,
        "dotenv",
        targets,
        lambda: Delivery(dict(CREDS), "dev", NOW + dt.timedelta(hours=1)),
        now=NOW,
    )
    errors = {o.path: o.error for o in report.outcomes}
    assert errors[repo / "tracked.env"].message.startswith(f"git tracks {repo / 'tracked.env'}:")
    for path in targets[1:3]:
        assert errors[path].message.startswith(f"git could not tell whether it tracks {path}:")
        assert git_error(broken) in (errors[path].hint or "")
        assert "--via serve" in (errors[path].hint or "")
    assert errors[plain / ".env"] is None
    assert CREDS["AWS_SECRET_ACCESS_KEY"] in (plain / ".env").read_text()
    assert (repo / "tracked.env").read_text() == "APP=1\n"


def test_outside_any_repository_nothing_is_refused(tmp_path):
    """No repository above the file: OUTSIDE, written, no warning."""
    folder = tmp_path / "plain"
    folder.mkdir()
    assert not any((p / ".git").exists() for p in [folder, *folder.parents])
    assert gitcheck.states([folder / ".env"]) == {folder / ".env": GitState.OUTSIDE}
    report = write(tmp_path, folder / ".env")
    assert not report.failures
    assert report.warnings == []


def _no_git(tmp_path: Path) -> str:
    """A PATH without git, as on a Windows machine whose git lives inside Visual Studio."""
    empty = tmp_path / "no-git"
    empty.mkdir(exist_ok=True)
    return str(empty)


def _failing_git(tmp_path: Path) -> str:
    """A PATH whose git runs and fails, whatever it is asked."""
    bin_dir = tmp_path / "failing-git"
    bin_dir.mkdir(exist_ok=True)
    (bin_dir / "git").write_text("#!/bin/sh\necho 'fatal: broken' >&2\nexit 128\n")
    (bin_dir / "git").chmod(0o755)
    return str(bin_dir)


GIT_THAT_CANNOT_ANSWER = {"missing": _no_git, "failing": _failing_git}


@pytest.mark.parametrize("name", ["tracked.env", "ignored.env", "new.env"])
@pytest.mark.parametrize("path_of", GIT_THAT_CANNOT_ANSWER.values(), ids=GIT_THAT_CANNOT_ANSWER)
def test_without_an_answer_from_git_a_file_in_a_repository_is_refused(
    tmp_path, repo, monkeypatch, name, path_of
):
    """No git on PATH, or a git that fails: tracked, ignored and untracked files inside a
    repository are all refused (exit 6), untouched, and no credentials are fetched."""
    target = repo / name
    target.write_text("APP=1\n")
    monkeypatch.setenv("PATH", path_of(tmp_path))
    asked: list[int] = []
    with pytest.raises(Refusal) as caught:
        write(tmp_path, target, asked=asked)
    assert caught.value.exit_code == 6
    assert caught.value.message.startswith(f"git could not tell whether it tracks {target}")
    assert target.read_text() == "APP=1\n"
    assert asked == []


@pytest.mark.parametrize("path_of", GIT_THAT_CANNOT_ANSWER.values(), ids=GIT_THAT_CANNOT_ANSWER)
def test_without_an_answer_from_git_a_file_outside_repositories_is_written(
    tmp_path, monkeypatch, path_of
):
    """Outside any repository git is never asked: the write happens, git or not."""
    folder = tmp_path / "plain"
    folder.mkdir()
    monkeypatch.setenv("PATH", path_of(tmp_path))
    report = write(tmp_path, folder / ".env")
    assert report.failures == []
    assert CREDS["AWS_SECRET_ACCESS_KEY"] in (folder / ".env").read_text()


def test_without_git_the_reason_names_the_path(tmp_path, repo, monkeypatch):
    """The refusal says why git could not answer: it is not on PATH."""
    monkeypatch.setenv("PATH", _no_git(tmp_path))
    status = gitcheck.check([repo / "tracked.env"])[repo / "tracked.env"]
    assert status == gitcheck.Status(GitState.UNKNOWN, "git is not installed, or not on PATH")


def test_without_git_allow_tracked_still_writes(tmp_path, repo, monkeypatch):
    """--allow-tracked is the user's word for a file git cannot answer for, too."""
    monkeypatch.setenv("PATH", _no_git(tmp_path))
    report = write(tmp_path, repo / "tracked.env", allow_tracked=True)
    assert report.failures == []
    assert CREDS["AWS_SECRET_ACCESS_KEY"] in (repo / "tracked.env").read_text()


def test_git_that_cannot_run_is_unknown(tmp_path, repo, monkeypatch):
    """A git on PATH that cannot be executed: UNKNOWN (refused), not 'git is missing'."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "git").write_text("#!/bin/sh\nexit 0\n")
    (bin_dir / "git").chmod(0o644)
    monkeypatch.setenv("PATH", str(bin_dir))
    status = gitcheck.check([repo / "tracked.env"])[repo / "tracked.env"]
    assert status.state is GitState.UNKNOWN
    assert "git could not run" in (status.reason or "")
    with pytest.raises(FileError):
        write(tmp_path, repo / "tracked.env")


def test_git_dir_in_the_environment_does_not_hide_a_tracked_file(tmp_path, repo, monkeypatch):
    """GIT_DIR=/elsewhere (a hook, a shell) still sees the file as tracked: refused."""
    elsewhere = make_repo(tmp_path / "elsewhere", tracked=("other.env",))
    monkeypatch.setenv("GIT_DIR", str(elsewhere / ".git"))
    with pytest.raises(FileError) as caught:
        write(tmp_path, repo / "tracked.env")
    assert caught.value.message.startswith(f"git tracks {repo / 'tracked.env'}:")


STEERING = {
    "GIT_DIR": lambda t: {"GIT_DIR": str(t / "elsewhere" / ".git")},
    "GIT_WORK_TREE": lambda t: {"GIT_WORK_TREE": str(t)},
    "GIT_INDEX_FILE": lambda t: {"GIT_INDEX_FILE": str(t / "no-such-index")},
    "GIT_OBJECT_DIRECTORY": lambda t: {"GIT_OBJECT_DIRECTORY": str(t / "no-such-objects")},
    "GIT_CONFIG_PARAMETERS": lambda t: {
        "GIT_CONFIG_PARAMETERS": f"'core.excludesfile'='{t / 'ignore-all'}'"
    },
    "GIT_CONFIG_COUNT": lambda t: {
        "GIT_CONFIG_COUNT": "1",
        "GIT_CONFIG_KEY_0": "core.excludesFile",
        "GIT_CONFIG_VALUE_0": str(t / "ignore-all"),
    },
}


@pytest.mark.parametrize("variables", STEERING.values(), ids=STEERING.keys())
def test_git_variables_in_the_environment_change_no_answer(tmp_path, repo, monkeypatch, variables):
    """GIT_* variables that pick another repository, index or configuration are not passed on."""
    make_repo(tmp_path / "elsewhere", tracked=("other.env",))
    (tmp_path / "ignore-all").write_text("*\n")
    for name, value in variables(tmp_path).items():
        monkeypatch.setenv(name, value)
    names = ["tracked.env", "ignored.env", "new.env"]
    assert gitcheck.states([repo / n for n in names]) == {
        repo / "tracked.env": GitState.TRACKED,
        repo / "ignored.env": GitState.IGNORED,
        repo / "new.env": GitState.UNTRACKED,
    }


def test_a_git_folder_that_is_no_repository_leaves_the_enclosing_one_in_charge(
    tmp_path, monkeypatch
):
    """A stray empty .git inside a repository (GIT_CEILING_DIRECTORIES set too): still tracked."""
    repo = make_repo(tmp_path / "repo", tracked=("sub/tracked.env",))
    (repo / "sub" / ".git").mkdir()
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(repo))
    assert gitcheck.states([repo / "sub" / "tracked.env"]) == {
        repo / "sub" / "tracked.env": GitState.TRACKED
    }


def test_ignored_symlink_to_a_tracked_file_of_another_repository_is_refused(tmp_path):
    """An ignored .env in repository A that links to a tracked file of B: B's file is refused."""
    a = make_repo(tmp_path / "a")
    b = make_repo(tmp_path / "b", tracked=("config.env",))
    link = a / "ignored.env"
    link.symlink_to(b / "config.env")
    assert gitcheck.states([link]) == {link: GitState.IGNORED}  # the link itself is harmless
    with pytest.raises(FileError) as caught:
        write(tmp_path, link)
    assert caught.value.message.startswith(f"git tracks {(b / 'config.env').resolve()}:")
    assert link.is_symlink()
    assert (b / "config.env").read_text() == "APP=1\n"


def test_worktree_checkout_is_checked_like_the_main_one(tmp_path, repo):
    """In a `git worktree add` checkout (a .git file): tracked refused, ignored silent, new warned."""
    worktree = tmp_path / "wt"
    git(repo, "worktree", "add", "-q", str(worktree))
    assert (worktree / ".git").is_file()
    with pytest.raises(FileError) as caught:
        write(tmp_path, worktree / "tracked.env")
    assert caught.value.message.startswith(f"git tracks {worktree / 'tracked.env'}:")
    report = write(tmp_path, worktree / "ignored.env", worktree / "new.env")
    assert not report.failures
    assert report.warnings == [
        f"git does not ignore {worktree / 'new.env'}; add it to .gitignore so these credentials "
        "are never committed"
    ]


def test_submodule_files_are_asked_of_the_submodule(tmp_path):
    """A submodule (a .git file): its tracked file is refused, its ignored file is not."""
    library = make_repo(tmp_path / "library")
    app = make_repo(tmp_path / "app", tracked=("app.env",))
    git(app, "-c", "protocol.file.allow=always", "submodule", "add", "-q", str(library), "lib")
    git(app, "commit", "-qm", "lib")
    lib = app / "lib"
    assert (lib / ".git").is_file()
    assert gitcheck.states([lib / "tracked.env", lib / "ignored.env", app / "app.env"]) == {
        lib / "tracked.env": GitState.TRACKED,
        lib / "ignored.env": GitState.IGNORED,
        app / "app.env": GitState.TRACKED,
    }
    with pytest.raises(FileError):
        write(tmp_path, lib / "tracked.env")


def test_names_git_would_read_as_pathspec_magic_are_just_names(tmp_path):
    """A leading ':' (pathspec magic to git) and non-UTF-8 bytes in names: asked about literally."""
    odd = os.fsdecode(b"caf\xe9.env")
    repo = make_repo(tmp_path / "repo", tracked=(":tracked.env", odd))
    (repo / ".gitignore").write_text(":ignored.env\n")
    assert gitcheck.states([repo / ":tracked.env", repo / odd, repo / ":ignored.env"]) == {
        repo / ":tracked.env": GitState.TRACKED,
        repo / odd: GitState.TRACKED,
        repo / ":ignored.env": GitState.IGNORED,
    }


def test_two_git_calls_per_repository_however_many_files(tmp_path, monkeypatch):
    """Two repositories, 120 files in 60 folders: four git calls, every state right."""
    repos = [
        make_repo(tmp_path / name, tracked=tuple(f"p{i}/tracked.env" for i in range(30)))
        for name in ("one", "two")
    ]
    expected = {}
    for repo in repos:
        for i in range(30):
            expected[repo / f"p{i}" / "tracked.env"] = GitState.TRACKED
            expected[repo / f"p{i}" / ("ignored.env" if i % 2 else "new.env")] = (
                GitState.IGNORED if i % 2 else GitState.UNTRACKED
            )
    calls: list[list[str]] = []
    run = subprocess.run

    def counting(args, *rest, **kwargs):
        calls.append(list(args))
        return run(args, *rest, **kwargs)

    monkeypatch.setattr(gitcheck.subprocess, "run", counting)
    assert gitcheck.states(list(expected)) == expected
    assert len(calls) == 4
