"""Ask git whether files are tracked before secrets go into them.

Outside repositories (no ``.git`` folder or file above the file) nothing is
known and nothing is refused. In a repository git could not answer for (git
not installed or not on PATH, as on a Windows machine whose git lives inside
Visual Studio; dubious ownership, a broken index, a timeout) the state is
UNKNOWN, which callers refuse like TRACKED: a secret must not go into a file
that may be one commit away from being published. Two git calls per repository, however many files:
``write launchsettings --recursive`` may cover hundreds.

The user's environment does not steer the answer: every ``GIT_*`` variable
that picks another repository, index, work tree or configuration
(``GIT_DIR``, ``GIT_INDEX_FILE``, ``GIT_WORK_TREE``, ``GIT_CONFIG_PARAMETERS``
of a ``git -c``, the ones a git hook runs with…) is dropped for our calls, so
git answers for the repository the file is in, as the user's next
``git add`` there would see it.
"""

from __future__ import annotations

import enum
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

_TIMEOUT = 30  # seconds: an unanswered git call is an UNKNOWN, not a hang

# The user's own configuration files and git's installation: they say nothing
# about which repository is asked, and safe.directory or a global excludesFile
# live there. Every other GIT_* variable is dropped.
_KEPT = frozenset(
    {"GIT_CONFIG_GLOBAL", "GIT_CONFIG_SYSTEM", "GIT_CONFIG_NOSYSTEM", "GIT_EXEC_PATH"}
)


class GitState(enum.Enum):
    TRACKED = "tracked"  # committing would publish the secrets: refuse unless allowed
    UNTRACKED = "untracked"  # one `git add` away from it: warn
    IGNORED = "ignored"
    OUTSIDE = "outside"  # not in a repository
    UNKNOWN = "unknown"  # in a repository git could not answer for: refuse like TRACKED


@dataclass(frozen=True)
class Status:
    state: GitState
    reason: str | None = None  # UNKNOWN: why git could not answer (its first error line)


def states(paths: list[Path]) -> dict[Path, GitState]:
    """The git state of each of ``paths`` (absolute)."""
    return {path: status.state for path, status in check(paths).items()}


def check(paths: list[Path]) -> dict[Path, Status]:
    """The git state of each of ``paths`` (absolute, symlinks resolved), with git's reason."""
    unique = list(dict.fromkeys(paths))
    result = dict.fromkeys(unique, Status(GitState.OUTSIDE))
    by_root: dict[Path, list[Path]] = {}
    tops: dict[Path, Path | None] = {}
    for path in unique:
        root = _worktree(path.parent, tops)
        if root is not None:
            by_root.setdefault(root, []).append(path)
    environment = _environment()
    for root, members in by_root.items():
        try:
            result.update(_ask(root, members, environment))
        except _GitFailed as failure:
            result.update(dict.fromkeys(members, Status(GitState.UNKNOWN, failure.reason)))
    return result


def _ask(root: Path, members: list[Path], environment: dict[str, str]) -> dict[Path, Status]:
    """The states of ``members`` (files under ``root``) in two git calls."""
    by_name = {os.fsencode(path.relative_to(root).as_posix()): path for path in members}
    # ls-files names tracked files relative to -C's folder (whichever repository git
    # found from there); --literal-pathspecs: a name with '*', '[' or ':' is just a name.
    listed = _git(
        root,
        ["--literal-pathspecs", "ls-files", "-z", "--", *map(os.fsdecode, by_name)],
        environment,
    )
    tracked = {by_name[name] for name in listed.split(b"\0") if name in by_name}
    # check-ignore takes no --literal-pathspecs: a leading "./" keeps a ':' from being
    # pathspec magic, and it echoes each ignored name as given.
    untracked = {b"./" + name: path for name, path in by_name.items() if path not in tracked}
    ignored: set[Path] = set()
    if untracked:
        given = b"".join(name + b"\0" for name in untracked)
        answer = _git(root, ["check-ignore", "-z", "--stdin"], environment, given)
        ignored = {untracked[name] for name in answer.split(b"\0") if name in untracked}
    result = {}
    for path in members:
        if path in tracked:
            result[path] = Status(GitState.TRACKED)
        elif path in ignored:
            result[path] = Status(GitState.IGNORED)
        else:
            result[path] = Status(GitState.UNTRACKED)
    return result


def _worktree(folder: Path, tops: dict[Path, Path | None]) -> Path | None:
    """The nearest folder with a .git (a folder, or a file in worktrees and submodules)."""
    trail = []
    current: Path | None = folder
    while current is not None and current not in tops:
        trail.append(current)
        if (current / ".git").exists():
            tops[current] = current
            break
        current = current.parent if current.parent != current else None
    found = tops.get(current) if current is not None else None
    for seen in trail:
        tops[seen] = found
    return found


def _environment() -> dict[str, str]:
    """Ours, without the GIT_* variables that would make git answer for something else."""
    return {
        name: value
        for name, value in os.environ.items()
        if not name.upper().startswith("GIT_") or name.upper() in _KEPT
    }


class _GitFailed(Exception):
    """git ran but gave no answer."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _git(root: Path, args: list[str], environment: dict[str, str], stdin: bytes = b"") -> bytes:
    """git's output in ``root``; exit 1 of check-ignore is "none ignored"."""
    command = next(arg for arg in args if not arg.startswith("-"))
    try:
        completed = subprocess.run(
            ["git", "-C", str(root), *args],  # noqa: S607 - git from PATH, like a user runs it
            input=stdin,
            capture_output=True,
            env=environment,
            timeout=_TIMEOUT,
            check=False,
        )
    except FileNotFoundError:
        raise _GitFailed("git is not installed, or not on PATH") from None
    except subprocess.TimeoutExpired:
        raise _GitFailed(f"git {command} gave no answer in {_TIMEOUT} s") from None
    except OSError as exc:
        raise _GitFailed(f"git could not run: {exc.strerror or exc}") from None
    if completed.returncode == 0 or (completed.returncode == 1 and command == "check-ignore"):
        return completed.stdout
    raise _GitFailed(
        _first_error(completed.stderr) or f"git {command} exited with status {completed.returncode}"
    )


def _first_error(stderr: bytes) -> str | None:
    """git's first 'fatal:'/'error:' line, else its first line (a translated git)."""
    lines = [line.strip() for line in stderr.decode("utf-8", "replace").splitlines()]
    lines = [line for line in lines if line]
    for line in lines:
        if line.startswith(("fatal:", "error:")):
            return line
    return lines[0] if lines else None
