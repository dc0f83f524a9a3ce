"""``devcreds serve --install``: start serve with every login, as a user service.

Linux: a systemd user unit; macOS: a launchd agent; Windows: a value under
the user's own Run key (``RUN_KEY``, under HKCU), which Windows runs at each logon
of that user and which needs no administrator: a ``schtasks /SC ONLOGON`` task
fires on any user's logon, so Task Scheduler asks for an elevated prompt to
create one, which most company laptops do not give their developers.

Each carries the AWS variables that choose the config files and endpoints
(never a key), so the service reads what this shell reads. A Run value is one
command line (Microsoft: at most 260 characters), so on Windows the variables
go into ``logon.json`` beside serve's token, and ``serve --at-logon`` reads them
and writes its output to ``serve.log`` there (pythonw has no console to write
to). Where the service manager cannot be reached, the file is still written and
the exact command to enable it is returned for the user to run.
"""

from __future__ import annotations

import json
import os
import plistlib
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from devcreds.errors import FileError, UsageError
from devcreds.files import atomic_write, missing_dirs, private_dir
from devcreds.paths import Paths
from devcreds.platforms import HOST, Platform
from devcreds.serve import state

NAME = "devcreds-serve"
LABEL = "com.devcreds.serve"
RUN_KEY = r"HKCU\Software\Microsoft\Windows\CurrentVersion\Run"
_RUN_VALUE_LIMIT = 260  # characters of a Run value's command line (Microsoft's documentation)
_LOG_LIMIT = 1_000_000  # bytes; a bigger serve.log is moved to serve.log.1 at the next start
# What decides which files and endpoints serve uses; secrets are never copied.
_PASSED = ("AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE", "AWS_ENDPOINT_URL")
_MANAGER_TIMEOUT = 15.0


Run = Callable[[list[str]], bool]  # a service manager's command: whether it did it
Spawn = Callable[[list[str]], None]  # start a program that outlives this one


@dataclass(frozen=True)
class Installed:
    path: Path | None  # the unit, the agent, or Windows' logon.json
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


def logon_file(paths: Paths) -> Path:
    """Windows: the port and variables ``serve --at-logon`` starts with."""
    return state.folder(paths) / "logon.json"


def log_file(paths: Paths) -> Path:
    """Windows: what serve started at logon prints."""
    return state.folder(paths) / "serve.log"


def windows_program(python: str, platform: Platform) -> list[str]:
    """pythonw (no console window at logon; it sits beside python.exe in every install and
    venv) running ``serve --at-logon``."""
    folder, name = platform.path.split(python)
    if name.lower() == "python.exe":
        python = platform.path.join(folder, "pythonw.exe")
    return [python, "-m", "devcreds", "serve", "--at-logon"]


def windows_run_value(python: str, platform: Platform) -> list[str]:
    """The ``reg add`` that makes Windows start serve at this user's logon."""
    line = subprocess.list2cmdline(windows_program(python, platform))
    if len(line) > _RUN_VALUE_LIMIT:
        raise UsageError(
            f"the command line to start serve at logon is {len(line)} characters; Windows "
            f"runs at most {_RUN_VALUE_LIMIT} from the Run key",
            hint="install devcreds where its path is shorter: pipx install devcreds",
        )
    return ["reg", "add", RUN_KEY, "/v", NAME, "/t", "REG_SZ", "/d", line, "/f"]


def install(
    paths: Paths,
    environ: Mapping[str, str],
    port: int,
    platform: Platform = HOST,
    run: Run | None = None,
    spawn: Spawn | None = None,
) -> Installed:
    run = run or _run
    home = paths.home
    if platform.macos:
        path = home / "Library" / "LaunchAgents" / f"{LABEL}.plist"
        _write(path, launchd_plist(port, environ, home))
        domain = f"gui/{os.getuid()}" if hasattr(os, "getuid") else "gui/$(id -u)"
        run(["launchctl", "bootout", domain, str(path)])  # a former agent, if any
        return _enable(path, [["launchctl", "bootstrap", domain, str(path)]], run)
    if platform.windows:
        path = logon_file(paths)
        step = windows_run_value(sys.executable, platform)
        private_dir(path.parent)
        logon = {"port": port, "environment": passed_environment(environ)}
        _write(path, json.dumps(logon, indent=2).encode())
        done = _enable(path, [step], run)
        if done.enabled:
            (spawn or _spawn)(windows_program(sys.executable, platform))
        return done
    path = _systemd_dir(home, environ) / f"{NAME}.service"
    _write(path, systemd_unit(port, environ).encode())
    steps = [
        ["systemctl", "--user", "daemon-reload"],
        ["systemctl", "--user", "enable", "--now", f"{NAME}.service"],
    ]
    return _enable(path, steps, run)


def uninstall(
    paths: Paths, environ: Mapping[str, str], platform: Platform = HOST, run: Run | None = None
) -> Installed:
    run = run or _run
    if platform.macos:
        path = paths.home / "Library" / "LaunchAgents" / f"{LABEL}.plist"
        domain = f"gui/{os.getuid()}" if hasattr(os, "getuid") else "gui/$(id -u)"
        steps = [["launchctl", "bootout", domain, str(path)]]
    elif platform.windows:
        # A serve already running stays until logoff: Windows has no service to stop.
        path = logon_file(paths)
        steps = [["reg", "delete", RUN_KEY, "/v", NAME, "/f"]]
    else:
        path = _systemd_dir(paths.home, environ) / f"{NAME}.service"
        steps = [["systemctl", "--user", "disable", "--now", f"{NAME}.service"]]
    done = all(run(step) for step in steps)
    removed = False
    if path.exists():
        path.unlink()
        removed = True
    todo = None if done else " && ".join(subprocess.list2cmdline(s) for s in steps)
    return Installed(path, done, todo, removed)


def installed(paths: Paths, environ: Mapping[str, str], platform: Platform = HOST) -> Path | None:
    """The file --install wrote, if it is there (for status)."""
    if platform.macos:
        path = paths.home / "Library" / "LaunchAgents" / f"{LABEL}.plist"
    elif platform.windows:
        path = logon_file(paths)
    else:
        path = _systemd_dir(paths.home, environ) / f"{NAME}.service"
    return path if path.is_file() else None


@dataclass(frozen=True)
class Logon:
    port: int
    environment: dict[str, str]


def read_logon(paths: Paths) -> Logon:
    """What ``serve --at-logon`` starts with; one clear error when --install wrote none."""
    path = logon_file(paths)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        port = data["port"]
        environment = data["environment"]
        if not isinstance(port, int) or not isinstance(environment, dict):
            raise TypeError
        return Logon(port, {str(k): str(v) for k, v in environment.items()})
    except (OSError, ValueError, KeyError, TypeError):
        raise FileError(f"{path} is missing or damaged", hint="devcreds serve --install") from None


def open_log(paths: Paths) -> TextIO:
    """serve.log for appending (0600); one older generation is kept beside it."""
    path = log_file(paths)
    private_dir(path.parent)
    try:
        if path.stat().st_size > _LOG_LIMIT:
            path.replace(path.with_name(path.name + ".1"))
    except FileNotFoundError:
        pass
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    return os.fdopen(fd, "a", encoding="utf-8", buffering=1)


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


def _enable(path: Path | None, steps: list[list[str]], run: Run) -> Installed:
    for step in steps:
        if not run(step):
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


def _spawn(program: list[str]) -> None:  # pragma: no cover - starts a real background process
    """Start serve now, as the next logon will, detached from this console (Windows' flags;
    they do not exist elsewhere, where this is only reached through the platform seam)."""
    flags = getattr(subprocess, "DETACHED_PROCESS", 0) | getattr(
        subprocess, "CREATE_NEW_PROCESS_GROUP", 0
    )
    subprocess.Popen(
        program,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        creationflags=flags,
        close_fds=True,
    )
