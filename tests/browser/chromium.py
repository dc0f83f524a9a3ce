"""Headless Chromium driven by Selenium: Debian's ``chromium`` and ``chromium-driver``
(``.ci/run`` installs them), never a downloaded browser or driver.

``find_chromium()`` for ``tests.support.require_tool``; ``headless_chromium()`` for a driver
that is quit (and its profile folder removed) when the ``with`` block ends.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
WHAT = "Chromium and its driver (Debian chromium, chromium-driver) and selenium (.venv)"


def find_chromium() -> str | None:
    """The Chromium binary, when it, chromedriver and selenium are all there."""
    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        return None
    if importlib.util.find_spec("selenium") is None:
        return None
    return str(CHROMIUM)


def chromium_arguments(profile: Path) -> list[str]:
    arguments = [
        "--headless=new",
        "--disable-dev-shm-usage",  # /dev/shm is small in containers
        f"--user-data-dir={profile}",
        "--no-first-run",
        "--no-default-browser-check",
        # Nothing but the pages we open: no updates, sync, safe browsing or proxies.
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-proxy-server",
        "--window-size=1024,768",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        arguments.append("--no-sandbox")  # Chromium's sandbox refuses to run as root
    return arguments


@contextlib.contextmanager
def headless_chromium(page_load_timeout: float = 30) -> Iterator[Any]:
    """A Selenium ``WebDriver`` for a fresh headless Chromium profile."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    with tempfile.TemporaryDirectory(prefix="devcreds-chromium-") as profile:
        options = webdriver.ChromeOptions()
        options.binary_location = str(CHROMIUM)
        for argument in chromium_arguments(Path(profile)):
            options.add_argument(argument)
        service = Service(executable_path=str(CHROMEDRIVER), log_output=subprocess.DEVNULL)
        driver = webdriver.Chrome(service=service, options=options)
        try:
            driver.set_page_load_timeout(page_load_timeout)
            yield driver
        finally:
            driver.quit()
