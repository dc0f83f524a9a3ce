#!/usr/bin/env python3
"""A ``BROWSER`` that is a real browser: ``python open_in_chromium.py [--detach] URL``.

It opens URL in headless Chromium (``tests/browser/chromium.py``), clicks the emulator's
``#allow`` button, or ``#deny`` with ``FOLLOW_DECISION=deny``, on its consent page
(``/authorize``, or ``/device?user_code=...``), and waits until the browser has left the
emulator for the client's loopback callback and that page has loaded (or, in the device
flow, until the emulator shows its result). Under ``--auto-approve`` the first page is
already the callback. Exit 0 then; otherwise 1 with the reason on stderr.

Same conventions as ``follow.py``: ``FOLLOW_LOG`` (``open``, ``decision``, ``callback``
with port, status and title, ``done``, ``end``), ``FOLLOW_DECISION``, ``--detach`` or
``FOLLOW_DETACH=1`` (needed for the AWS CLI, which waits for the ``BROWSER`` command
before it serves its callback). ``FOLLOW_TIMEOUT`` (seconds, default 30) bounds each wait.
``FOLLOW_STATE`` is not supported here (a real browser delivers what it is given).
"""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # run as a script from anywhere

from tests.browser.chromium import headless_chromium
from tests.browser.follow import (
    LOG,
    STATE,
    BrowserError,
    Log,
    decision_from_env,
    main,
    origin,
    shown,
)

# The emulator's pages: Allow and Deny buttons, and the heading of its result pages.
BUTTONS = {"allow": "allow", "deny": "deny"}
RESULT = "result"
_DEVICE_RESULTS = {"Request approved", "Request denied"}


def open_in_chromium(url: str, log: str | os.PathLike[str] | None = None) -> list[dict[str, Any]]:
    """Walk from ``url`` in Chromium as the module docstring says; returns the steps."""
    steps = Log(log if log is not None else os.environ.get(LOG))
    try:
        if os.environ.get(STATE):
            raise BrowserError(f"{STATE} is not supported by open_in_chromium.py")
        _walk(url, decision_from_env(), float(os.environ.get("FOLLOW_TIMEOUT", "30")), steps)
    except Exception as exc:
        steps("done", ok=False, reason=f"{type(exc).__name__}: {exc}".strip())
        if isinstance(exc, BrowserError):
            raise
        raise BrowserError(f"{type(exc).__name__}: {exc}") from exc
    finally:
        steps("end")
    return steps.steps


def _walk(url: str, choice: str, timeout: float, log: Log) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    emulator = origin(url)
    log("open", url=shown(url))
    with headless_chromium(page_load_timeout=timeout) as driver:
        driver.get(url)
        buttons = driver.find_elements(By.ID, BUTTONS[choice])
        if origin(driver.current_url) == emulator and buttons:
            log("decision", decision=choice)
            buttons[0].click()
        elif origin(driver.current_url) == emulator and not driver.find_elements(By.ID, RESULT):
            title = " ".join(driver.title.split())
            raise BrowserError(
                f"no #{BUTTONS[choice]} button on {shown(driver.current_url)}: {title}"
            )

        def arrived(d: Any) -> bool:
            if d.execute_script("return document.readyState") != "complete":
                return False
            if origin(d.current_url) != emulator:
                return True
            return bool(d.find_elements(By.ID, RESULT))

        try:
            WebDriverWait(driver, timeout, poll_frequency=0.1).until(arrived)
        except Exception:  # selenium's TimeoutException
            raise BrowserError(
                f"after {timeout:g} s the browser is still at {shown(driver.current_url)}"
            ) from None
        title = " ".join(driver.title.split())
        if origin(driver.current_url) != emulator:
            status = driver.execute_script(
                "const n = performance.getEntriesByType('navigation')[0];"
                "return n ? n.responseStatus : null;"
            )
            log("callback", port=urlsplit(driver.current_url).port, status=status, title=title)
        else:
            heading = driver.find_element(By.ID, RESULT).text.strip()
            if heading not in _DEVICE_RESULTS:
                raise BrowserError(f"the emulator says: {heading}")
        log("done", ok=True, reason=None, url=shown(driver.current_url), title=title)


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        sys.exit(main(open_in_chromium))
