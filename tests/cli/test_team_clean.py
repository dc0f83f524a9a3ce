"""The team's set-up is not credentials: in a real git repository, clean --all and
logout --clean leave a committed file that points at devcreds serve as it is, and still
clean untracked endpoint files and every file with keys; naming the file takes the URL out."""

from __future__ import annotations

import shutil

import pytest

from tests.cli.test_write import SAMPLES, git

URI = "AWS_CONTAINER_CREDENTIALS_FULL_URI"
TRACKED = "Web/Properties/launchSettings.json"
UNTRACKED = "Api/Properties/launchSettings.json"
KEYS = "Web/.env"


@pytest.fixture
def repo(logged_in, tmp_path):
    """A committed solution whose Web launch file points at serve (committed too), an Api
    launch file pointing at serve that git does not track, and an ignored .env with keys.
    Returns the repository and the bytes of each file before devcreds wrote to it."""
    root = tmp_path / "solution"
    for name in (TRACKED, UNTRACKED):
        (root / name).parent.mkdir(parents=True)
        shutil.copyfile(SAMPLES / "launchSettings/dotnet__eShop__1.json", root / name)
    (root / KEYS).write_text("APP=1\n")
    (root / ".gitignore").write_text(".env\n")
    git(root, "init", "-q")
    git(root, "add", ".gitignore", TRACKED)
    git(root, "commit", "-qm", "solution")
    before = {name: (root / name).read_bytes() for name in (TRACKED, UNTRACKED, KEYS)}
    for name in (TRACKED, UNTRACKED):
        logged_in.ok("write", "launchsettings", str(root / name), "--via", "serve", "-p", "dev")
    logged_in.ok("write", "dotenv", str(root / KEYS), "-p", "dev")
    git(root, "commit", "-qam", "credentials through devcreds serve")
    assert git(root, "status", "--porcelain", "--untracked-files=no") == ""
    return root, before


CLEANS = {
    "clean --all": ["clean", "--all"],
    "logout --clean": ["logout", "--profile", "dev", "--clean"],
    "logout --all --clean": ["logout", "--all", "--clean"],
}


@pytest.mark.parametrize("command", CLEANS.values(), ids=CLEANS)
def test_a_committed_endpoint_file_stays_as_the_team_committed_it(logged_in, repo, command):
    """git status stays clean for the tracked file, and one line says why it was left."""
    root, _ = repo
    committed = (root / TRACKED).read_bytes()
    completed = logged_in.run(*command)
    assert completed.returncode == 0, completed.stderr
    assert (root / TRACKED).read_bytes() == committed
    assert git(root, "status", "--porcelain", "--untracked-files=no") == ""
    assert "left as it is (git tracks it, and it holds only the address of devcreds serve" in (
        completed.stderr
    )
    assert completed.stderr.count("left as it is") == 1


@pytest.mark.parametrize("command", CLEANS.values(), ids=CLEANS)
def test_untracked_endpoint_files_and_keys_are_still_cleaned(logged_in, repo, command):
    """The untracked endpoint file and the .env with keys get their original bytes back."""
    root, before = repo
    completed = logged_in.run(*command)
    assert completed.returncode == 0, completed.stderr
    assert (root / UNTRACKED).read_bytes() == before[UNTRACKED]
    assert (root / KEYS).read_bytes() == before[KEYS]


def test_clean_naming_the_tracked_file_takes_the_url_out(logged_in, repo):
    """clean FILE: the user means that file; it is as it was before the first write."""
    root, before = repo
    logged_in.ok("clean", str(root / TRACKED))
    assert (root / TRACKED).read_bytes() == before[TRACKED]
    assert URI.encode() not in (root / TRACKED).read_bytes()


def test_clean_all_endpoints_takes_the_url_out_of_tracked_files_too(logged_in, repo):
    """--endpoints is the explicit flag: every file written goes back to its bytes."""
    root, before = repo
    logged_in.ok("clean", "--all", "--endpoints")
    assert {name: (root / name).read_bytes() for name in before} == before


def test_a_tracked_file_with_keys_is_cleaned_by_clean_all(logged_in, tmp_path):
    """Keys written with --allow-tracked into a tracked file are credentials: clean --all
    takes them out, tracked or not."""
    root = tmp_path / "keys"
    (root / "Properties").mkdir(parents=True)
    path = root / "Properties" / "launchSettings.json"
    shutil.copyfile(SAMPLES / "launchSettings/dotnet__eShop__1.json", path)
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "solution")
    original = path.read_bytes()
    logged_in.ok("write", "launchsettings", str(path), "--allow-tracked", "-p", "dev")
    logged_in.ok("clean", "--all")
    assert path.read_bytes() == original
