"""Run ``devcreds`` as a user does: a subprocess with its own HOME, pointed at an emulator."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.support import START_URL, RunningEmulator, wait_for


@dataclass
class Cli:
    home: Path
    env: dict[str, str]
    emu: RunningEmulator

    @property
    def sso_cache(self) -> Path:
        return self.home / ".aws" / "sso" / "cache"

    @property
    def cli_cache(self) -> Path:
        return self.home / ".aws" / "cli" / "cache"

    @property
    def config(self) -> Path:
        return self.home / ".aws" / "config"

    def run(
        self, *args: str, timeout: float = 60, cwd: Path | None = None, **env: str
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "devcreds", *args],
            env={**self.env, **env},
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
            check=False,
        )

    def ok(self, *args: str, cwd: Path | None = None, **env: str) -> str:
        completed = self.run(*args, cwd=cwd, **env)
        assert completed.returncode == 0, completed.stderr
        return completed.stdout

    def popen(self, *args: str, **env: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [sys.executable, "-m", "devcreds", *args],
            env={**self.env, **env},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            text=True,
        )

    def configure(
        self, profile: str = "dev", role: str = "Developer", session: str = "corp", **options: str
    ) -> None:
        """devcreds configure sso for the emulator's start URL and account 111111111111."""
        args = ["configure", "sso", "--profile", profile, "--sso-session", session]
        args += ["--start-url", START_URL, "--sso-region", "us-east-1"]
        args += ["--account-id", "111111111111", "--role-name", role]
        for name, value in options.items():
            args += [f"--{name.replace('_', '-')}", value]
        self.ok(*args)

    def export(self, profile: str = "dev") -> dict[str, Any]:
        return json.loads(self.ok("export", "--profile", profile))  # type: ignore[no-any-return]

    def browser(self, **follow: str) -> dict[str, str]:
        """Environment that makes ``tests/browser/follow.py`` the browser, with its
        ``FOLLOW_*`` settings (``decision="deny"``, ``state="wrong-first"``)."""
        command = f"{shlex.quote(sys.executable)} {shlex.quote(str(FOLLOW))} --detach %s"
        env = {"BROWSER": command, "FOLLOW_LOG": str(self.follow_log)}
        env.update({f"FOLLOW_{name.upper()}": value for name, value in follow.items()})
        return env

    @property
    def follow_log(self) -> Path:
        return self.home / "follow.log"

    def followed(self, runs: int = 1) -> list[dict[str, Any]]:
        """What the stand-in browser saw, once ``runs`` of it have ended."""
        wait_for(lambda: _lines(self.follow_log).count({"step": "end"}) >= runs, "the browser")
        return [line for line in _lines(self.follow_log) if line != {"step": "end"}]

    def only_file(self, folder: Path) -> Path:
        files = sorted(folder.glob("*.json"))
        assert len(files) == 1, files
        return files[0]


FOLLOW = Path(__file__).parents[1] / "browser" / "follow.py"
# What steers devcreds' choice of login flow: the tests set it themselves.
_FLOW_VARIABLES = {"DISPLAY", "WAYLAND_DISPLAY", "BROWSER", "SSH_CONNECTION", "SSH_TTY"}


def _lines(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def cli_environment(home: Path, endpoint: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("AWS_", "DEVCREDS_", "FOLLOW_")) and k not in _FLOW_VARIABLES
    }
    env.update(
        HOME=str(home),
        AWS_CONFIG_FILE=str(home / ".aws" / "config"),
        AWS_SHARED_CREDENTIALS_FILE=str(home / ".aws" / "credentials"),
        AWS_ENDPOINT_URL=endpoint,
        AWS_EC2_METADATA_DISABLED="true",
        NO_COLOR="1",
        COLUMNS="200",
    )
    return env


@pytest.fixture
def make_cli(start_emulator, tmp_path):
    def make(**emulator_settings: Any) -> Cli:
        settings = {"auto_approve": True, **emulator_settings}
        emu = start_emulator(real_time=True, **settings)
        home = tmp_path / f"home{len(list(tmp_path.iterdir()))}"
        home.mkdir()
        return Cli(home, cli_environment(home, emu.url), emu)

    return make


@pytest.fixture
def cli(make_cli) -> Cli:
    """A configured profile `dev` (session `corp`) on an auto-approving emulator."""
    made = make_cli()
    made.configure()
    return made


@pytest.fixture
def logged_in(cli) -> Cli:
    cli.ok("login", "--profile", "dev", "--use-device-code", "--use-device-code", "--no-browser")
    return cli
