"""Helpers for tests: in-process emulators, boto3 clients, tool lookup."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import shutil
import subprocess
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import boto3
import pytest
from botocore.config import Config

from devcreds.emulator import Emulator, EmulatorConfig, EmulatorServer, running

START_URL = "https://d-0123456789.awsapps.com/start"
DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
NO_RETRIES = Config(retries={"total_max_attempts": 1, "mode": "standard"})
# One session for the whole run: it caches the loaded service models.
_SESSION = boto3.session.Session(region_name="us-east-1")


class FakeClock:
    """The emulator's clock, moved by the test instead of by sleeping."""

    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@dataclass
class RunningEmulator:
    server: EmulatorServer
    emulator: Emulator
    clock: FakeClock
    sleeps: list[float] = field(default_factory=list)

    @property
    def url(self) -> str:
        return self.server.url

    def client(self, service: str, config: Config = NO_RETRIES, **kwargs: Any) -> Any:
        return _SESSION.client(service, endpoint_url=self.url, config=config, **kwargs)

    def sts_as(self, creds: dict[str, Any], config: Config = NO_RETRIES) -> Any:
        """An STS client signing with role credentials as the portal returns them."""
        return self.client(
            "sts",
            config,
            aws_access_key_id=creds["accessKeyId"],
            aws_secret_access_key=creds["secretAccessKey"],
            aws_session_token=creds["sessionToken"],
        )

    def stats(self) -> dict[str, dict[str, int]]:
        status, _, body = raw_request(self.url, "GET", "/_emulator/stats")
        assert status == 200
        return json.loads(body)

    def calls(self, operation: str) -> int:
        return self.stats()["calls"].get(operation, 0)


class EmulatorFactory:
    def __init__(self) -> None:
        self._stack = contextlib.ExitStack()

    def __call__(self, *, real_time: bool = False, **settings: Any) -> RunningEmulator:
        """An emulator on a free loopback port. ``real_time`` for clients in other processes,
        which sleep for real between polls; otherwise the test moves the clock."""
        clock = FakeClock()
        sleeps: list[float] = []
        emulator = Emulator(
            replace(EmulatorConfig(), **settings),
            clock=time.time if real_time else clock,
            sleep=time.sleep if real_time else sleeps.append,
        )
        server = self._stack.enter_context(running(emulator))
        return RunningEmulator(server, emulator, clock, sleeps)

    def close(self) -> None:
        self._stack.close()


def register(oidc: Any, **kwargs: Any) -> dict[str, Any]:
    params: dict[str, Any] = {"clientName": "tests", "clientType": "public"}
    params["scopes"] = ["sso:account:access"]
    params.update(kwargs)
    return oidc.register_client(**params)  # type: ignore[no-any-return]


def start_device(emu: RunningEmulator, **register_kwargs: Any) -> tuple[dict[str, Any], Any]:
    """Register and start a device authorization; returns it and a CreateToken poller."""
    oidc = emu.client("sso-oidc")
    client = register(oidc, **register_kwargs)
    device = oidc.start_device_authorization(
        clientId=client["clientId"], clientSecret=client["clientSecret"], startUrl=START_URL
    )

    def poll() -> dict[str, Any]:
        return oidc.create_token(  # type: ignore[no-any-return]
            clientId=client["clientId"],
            clientSecret=client["clientSecret"],
            grantType=DEVICE_GRANT,
            deviceCode=device["deviceCode"],
        )

    return device, poll


def device_login(emu: RunningEmulator, **register_kwargs: Any) -> dict[str, Any]:
    """Register, start a device authorization, approve it, and redeem it for tokens."""
    oidc = emu.client("sso-oidc")
    client = register(oidc, **register_kwargs)
    device = oidc.start_device_authorization(
        clientId=client["clientId"], clientSecret=client["clientSecret"], startUrl=START_URL
    )
    if not emu.emulator.config.auto_approve:
        approve(emu.url, device["userCode"])
    token = oidc.create_token(
        clientId=client["clientId"],
        clientSecret=client["clientSecret"],
        grantType=DEVICE_GRANT,
        deviceCode=device["deviceCode"],
    )
    return {"client": client, **token}


def approve(url: str, user_code: str, decision: str = "approve") -> dict[str, Any]:
    status, _, body = raw_request(
        url, "POST", f"/_emulator/{decision}", json.dumps({"userCode": user_code}).encode()
    )
    assert status == 200, body
    return json.loads(body)  # type: ignore[no-any-return]


def raw_request(
    url: str,
    method: str,
    path: str,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, dict[str, str], bytes]:
    """One HTTP request with no client-side validation and no redirect following."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def error_code(exc: pytest.ExceptionInfo[Any]) -> str:
    return exc.value.response["Error"]["Code"]  # type: ignore[no-any-return]


def require_tool(path: str | None, what: str) -> str:
    """``path`` if the tool exists; otherwise skip, or fail under CI (CI=true)."""
    if path:
        return path
    message = f"{what} is not installed"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{message}; .ci/run must install it")
    pytest.skip(message)


def find_aws_cli_v2() -> str | None:
    """The first ``aws`` that is the AWS CLI v2 (Debian's lives in /usr/bin)."""
    seen = []
    for candidate in ("/usr/bin/aws", shutil.which("aws")):
        if candidate and candidate not in seen and Path(candidate).exists():
            seen.append(candidate)
            version = subprocess.run(
                [candidate, "--version"], capture_output=True, text=True, check=False
            )
            if version.stdout.startswith("aws-cli/2"):
                return candidate
    return None


def find_current_aws_cli() -> str | None:
    """The current AWS CLI v2 (2.36 and later), installed from its wheel into .awscli-v2 of
    the repository (``.ci/run`` does it)."""
    venv = Path(__file__).parents[1] / ".awscli-v2"
    return shutil.which("aws", path=f"{venv / 'bin'}{os.pathsep}{venv / 'Scripts'}")


def wait_for(predicate: Any, what: str, timeout: float = 30.0) -> None:
    """Poll an in-process condition (the emulator's state), not the clock of the code under test."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)
