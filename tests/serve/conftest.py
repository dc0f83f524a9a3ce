"""A real ``devcreds serve`` process beside the emulator, for SDKs and hostile clients."""

from __future__ import annotations

import http.client
import json
import signal
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.cli import conftest as cli_fixtures
from tests.cli.conftest import Cli

# The CLI tests' fixtures (an emulator, a configured home, a login), here too.
make_cli = cli_fixtures.make_cli
cli = cli_fixtures.cli
logged_in = cli_fixtures.logged_in


@dataclass
class Serving:
    cli: Cli
    process: subprocess.Popen[str]
    port: int
    log: list[str] = field(default_factory=list)  # serve's stderr, read as it comes

    @property
    def token_file(self) -> Path:
        return self.cli.home / ".aws" / "devcreds" / "serve" / "token"

    @property
    def token(self) -> str:
        return self.token_file.read_text()

    def url(self, profile: str = "dev") -> str:
        return f"http://127.0.0.1:{self.port}/profile/{profile}"

    def get(
        self, path: str = "/profile/dev", headers: dict[str, str] | None = None
    ) -> tuple[int, dict[str, Any]]:
        """One request on a fresh connection: (status, JSON body)."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            given = {"Authorization": self.token} if headers is None else headers
            connection.request("GET", path, headers=given)
            response = connection.getresponse()
            return response.status, json.loads(response.read() or b"null")
        finally:
            connection.close()

    def sdk_env(self, profile: str = "dev", **extra: str) -> dict[str, str]:
        """An app's environment pointing at serve, with no profile of its own."""
        env = {k: v for k, v in self.cli.env.items() if k != "AWS_PROFILE"}
        env.update(
            AWS_CONTAINER_CREDENTIALS_FULL_URI=self.url(profile),
            AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=str(self.token_file),
            AWS_REGION="us-east-1",
            **extra,
        )
        return env

    def stop(self) -> tuple[int, str]:
        """SIGTERM; the exit code and everything serve wrote to stderr."""
        self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(timeout=30)
        self.reader.join(timeout=10)
        return code, "".join(self.log)

    def read_log(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.log.append(line)

    def start_reading(self) -> None:
        self.reader = threading.Thread(target=self.read_log, daemon=True)
        self.reader.start()


def start_serve(user: Cli, *args: str) -> Serving:
    process = subprocess.Popen(
        [sys.executable, "-m", "devcreds", "serve", "--port", "0", *args],
        env=user.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
    )
    first = process.stdout.readline() if process.stdout else ""
    if not first.startswith("listening on "):
        process.kill()
        _, err = process.communicate()
        raise AssertionError(f"serve did not start: {first!r} {err}")
    running = Serving(user, process, int(first.strip().rsplit(":", 1)[1]))
    running.start_reading()  # a full stderr pipe would stall serve's log lines
    return running


@pytest.fixture
def serving(logged_in: Cli):
    running = start_serve(logged_in)
    yield running
    if running.process.poll() is None:
        running.stop()
