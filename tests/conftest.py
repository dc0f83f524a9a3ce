"""Test isolation and shared fixtures.

HOME and every AWS_* variable are replaced *before* anything imports
botocore, which fixes its cache folders from ``~`` at import time.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

_HOME = Path(tempfile.mkdtemp(prefix="devcreds-tests-home-"))
for _name in [n for n in os.environ if n.startswith("AWS_")]:
    del os.environ[_name]
os.environ.update(
    HOME=str(_HOME),
    USERPROFILE=str(_HOME),
    AWS_CONFIG_FILE=str(_HOME / ".aws" / "config"),
    AWS_SHARED_CREDENTIALS_FILE=str(_HOME / ".aws" / "credentials"),
    AWS_EC2_METADATA_DISABLED="true",
    # A client a test forgot to point somewhere reaches a closed loopback port, never AWS;
    # so does any tool (the AWS CLI 2.9 cannot be pointed at the emulator for STS) via the proxy.
    AWS_ENDPOINT_URL="http://127.0.0.1:9",
    HTTPS_PROXY="http://127.0.0.1:9",
    https_proxy="http://127.0.0.1:9",
    NO_PROXY="127.0.0.1,localhost",
    no_proxy="127.0.0.1,localhost",
)

import pytest  # noqa: E402

from tests.support import EmulatorFactory  # noqa: E402


@pytest.fixture
def start_emulator() -> object:
    """Start in-process emulators on loopback with a fake clock; all stop after the test."""
    factory = EmulatorFactory()
    yield factory
    factory.close()


@pytest.fixture
def emu(start_emulator: EmulatorFactory):
    """One emulator with default settings."""
    return start_emulator()


# Markers naming a tool only the Linux job installs (pyproject.toml); each test carrying one
# also gets linux_tools, which the Windows and macOS jobs deselect: -m "not linux_tools".
LINUX_TOOLS = ("awscli", "chromium", "shells", "systemd")


@pytest.hookimpl(tryfirst=True)  # before -m deselects by markers
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if any(item.get_closest_marker(name) for name in LINUX_TOOLS):
            item.add_marker(pytest.mark.linux_tools)
