"""Ask git whether a file is tracked before secrets go into it.

Works outside repositories and without git installed: then nothing is known
and nothing is refused.
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


def state(path: Path) -> GitState:
    folder, name = path.parent, path.name
    tracked = _git(folder, "ls-files", "--error-unmatch", "--", name)
    if tracked is None or tracked == 128:
        return GitState.OUTSIDE
    if tracked == 0:
        return GitState.TRACKED
    ignored = _git(folder, "check-ignore", "-q", "--", name)
    return GitState.IGNORED if ignored == 0 else GitState.UNTRACKED


def _git(folder: Path, *args: str) -> int | None:
    try:
        completed = subprocess.run(
            ["git", "-C", str(folder), *args],  # noqa: S607 - git from PATH, like a user runs it
            capture_output=True,
            timeout=10,
            check=False,
        )
    except (FileNotFoundError, subprocess.TimeoutExpired, OSError):
        return None
    return completed.returncode
