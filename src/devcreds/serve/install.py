"""``devcreds serve --install``: start serve with every login, as a user service.

Linux: a systemd user unit; macOS: a launchd agent; Windows: a scheduled task
at logon. Each carries the AWS variables that choose the config files and
endpoints (never a key), so the service reads what this shell reads. Where
the service manager cannot be reached, the file is still written and the
exact command to enable it is returned for the user to run.
"""

from __future__ import annotations

import os
import plistlib
import shutil
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from devcreds.errors import FileError
from devcreds.files import atomic_write, missing_dirs

NAME = "devcreds-serve"
LABEL = "com.devcreds.serve"
# What decides which files and endpoints serve uses; secrets are never copied.
_PASSED = ("AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE", "AWS_ENDPOINT_URL")
_MANAGER_TIMEOUT = 15.0


@dataclass(frozen=True)
class Installed:
    path: Path | None  # the unit, agent or nothing (a Windows task lives in the scheduler)
    enabled: bool  # the service manager took it (and started it)
    todo: str | None  # the command to run by hand when it did not
    removed: bool = False


def command(port: int) -> list[str]:
    return [sys.executable, "-m", "devcreds", "serve", "--port", str(port)]


def passed_environment(environ: Mapping[str, str]) -> dict[str, str]:
    return {
        name: value
        for name, value in sorted(environ.items())
        if name in _PASSED or name.startswith("AWS_ENDPOINT_URL_")
    }


def systemd_unit(port: int, environ: Mapping[str, str]) -> str:
    lines = [
        "[Unit]",
        "Description=devcreds serve: AWS credentials for local apps (loopback only)",
        "",
        "[Service]",
        "ExecStart=" + " ".join(_systemd_quote(part) for part in command(port)),
        "Restart=on-failure",
        "RestartSec=5",
    ]
    lines += [
        f"Environment={_systemd_quote(f'{k}={v}')}" for k, v in passed_environment(environ).items()
    ]
    lines += ["", "[Install]", "WantedBy=default.target", ""]
    return "\n".join(lines)


def _systemd_quote(text: str) -> str:
    """One word for systemd: quoted, with its specifiers (%) and variables ($) kept literal."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("%", "%%").replace("$", "$$")
    return f'"{escaped}"'


def launchd_plist(port: int, environ: Mapping[str, str], home: Path) -> bytes:
    agent: dict[str, object] = {
        "Label": LABEL,
        "ProgramArguments": command(port),
        "RunAtLoad": True,
        "KeepAlive": {"SuccessfulExit": False},
        "StandardErrorPath": str(home / "Library" / "Logs" / f"{NAME}.log"),
    }
    passed = passed_environment(environ)
    if passed:
        agent["EnvironmentVariables"] = passed
    return plistlib.dumps(agent)


def windows_task(port: int) -> list[str]:
    # pythonw: no console window at logon.
    python = Path(sys.executable)
    windowless = python.with_name("pythonw.exe")
    program = [str(windowless if windowless.exists() else python), *command(port)[1:]]
    line = subprocess.list2cmdline(program)
    return ["schtasks", "/Create", "/F", "/SC", "ONLOGON", "/TN", NAME, "/TR", line]


def install(
    home: Path, environ: Mapping[str, str], port: int, platform: str = sys.platform
) -> Installed:
    if platform == "darwin":
        path = home / "Library" / "LaunchAgents" / f"{LABEL}.plist"
        _write(path, launchd_plist(port, environ, home))
        domain = f"gui/{os.getuid()}" if hasattr(os, "getuid") else "gui/$(id -u)"
        _run(["launchctl", "bootout", domain, str(path)])  # a former agent, if any
        steps = [["launchctl", "bootstrap", domain, str(path)]]
        return _enable(path, steps)
    if platform == "win32":
        return _enable(None, [windows_task(port), ["schtasks", "/Run", "/TN", NAME]])
    path = _systemd_dir(home, environ) / f"{NAME}.service"
    _write(path, systemd_unit(port, environ).encode())
    steps = [
        ["systemctl", "--user", "daemon-reload"],
        ["systemctl", "--user", "enable", "--now", f"{NAME}.service"],
    ]
    return _enable(path, steps)


def uninstall(home: Path, environ: Mapping[str, str], platform: str = sys.platform) -> Installed:
    if platform == "darwin":
        path = home / "Library" / "LaunchAgents" / f"{LABEL}.plist"
        domain = f"gui/{os.getuid()}" if hasattr(os, "getuid") else "gui/$(id -u)"
        steps = [["launchctl", "bootout", domain, str(path)]]
    elif platform == "win32":
        path = None
        steps = [["schtasks", "/Delete", "/F", "/TN", NAME]]
    else:
        path = _systemd_dir(home, environ) / f"{NAME}.service"
        steps = [["systemctl", "--user", "disable", "--now", f"{NAME}.service"]]
    done = all(_run(step) for step in steps)
    removed = False
    if path is not None and path.exists():
        path.unlink()
        removed = True
    todo = None if done else " && ".join(subprocess.list2cmdline(s) for s in steps)
    return Installed(path, done, todo, removed)


def _systemd_dir(home: Path, environ: Mapping[str, str]) -> Path:
    config = environ.get("XDG_CONFIG_HOME") or str(home / ".config")
    return Path(config) / "systemd" / "user"


def _write(path: Path, data: bytes) -> None:
    try:
        missing_dirs(path.parent)
        atomic_write(path, data, mode=0o644)  # a service definition holds no secret
    except OSError as exc:
        raise FileError(
            f"cannot write {path}: {exc.strerror or exc}",
            hint=f"check the permissions of {path.parent}",
        ) from None


def _enable(path: Path | None, steps: list[list[str]]) -> Installed:
    for step in steps:
        if not _run(step):
            todo = " && ".join(subprocess.list2cmdline(s) for s in steps)
            return Installed(path, False, todo)
    return Installed(path, True, None)


def _run(step: list[str]) -> bool:
    """Whether the service manager did it; never a wait on anyone (no prompt, a time-out)."""
    if shutil.which(step[0]) is None:
        return False
    try:
        done = subprocess.run(
            step,
            capture_output=True,
            stdin=subprocess.DEVNULL,
            timeout=_MANAGER_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0
