"""Ask git whether files are tracked before secrets go into them.

Works outside repositories and without git installed: then nothing is known
and nothing is refused. Two git calls per repository, however many files:
``write launchsettings --recursive`` may cover hundreds.
"""

from __future__ import annotations

import enum
import subprocess
from pathlib import Path


class GitState(enum.Enum):
    TRACKED = "tracked"  # committing would publish the secrets: refuse unless allowed
    UNTRACKED = "untracked"  # one `git add` away from it: warn
    IGNORED = "ignored"
    OUTSIDE = "outside"  # not in a repository, or git is not installed


def states(paths: list[Path]) -> dict[Path, GitState]:
    """The git state of each of ``paths`` (absolute)."""
    result = dict.fromkeys(paths, GitState.OUTSIDE)
    by_root: dict[Path, list[Path]] = {}
    tops: dict[Path, Path | None] = {}
    for path in paths:
        root = _worktree(path.parent, tops)
        if root is not None:
            by_root.setdefault(root, []).append(path)
    for root, members in by_root.items():
        relative = [str(p.relative_to(root)) for p in members]
        tracked = _git(root, ["ls-files", "-z", "--", *relative])
        if tracked is None:
            continue  # git missing or refusing this repository: nothing known
        tracked_set = {root / name for name in tracked.split("\0") if name}
        untracked = [p for p in members if p not in tracked_set]
        ignored = (
            _git(
                root,
                ["check-ignore", "-z", "--stdin"],
                "\0".join(str(p.relative_to(root)) for p in untracked),
            )
            if untracked
            else ""
        )
        ignored_set = {root / name for name in (ignored or "").split("\0") if name}
        for path in members:
            if path in tracked_set:
                result[path] = GitState.TRACKED
            elif path in ignored_set:
                result[path] = GitState.IGNORED
            else:
                result[path] = GitState.UNTRACKED
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


def _git(root: Path, args: list[str], stdin: str | None = None) -> str | None:
    """git's output; None if git is missing or fails (exit 1 of check-ignore is "none")."""
    try:
        completed = subprocess.run(
            ["git", "-C", str(root), *args],  # noqa: S607 - git from PATH, like a user runs it
            input=stdin,
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except (FileNotFoundError, subprocess.TimeoutExpired, OSError):
        return None
    if completed.returncode == 0 or (completed.returncode == 1 and args[0] == "check-ignore"):
        return completed.stdout
    return None
