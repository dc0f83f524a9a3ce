"""``BROWSER`` commands for clients under test, and what the stand-in browser saw.

``BROWSER`` names one program, with no arguments, for Python's ``webbrowser`` (which the
AWS CLI uses), so ``browser_command`` writes a small executable script that runs
``follow.py`` or ``open_in_chromium.py`` with this test's Python and settings.
"""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from tests.support import wait_for

HERE = Path(__file__).resolve().parent
SCRIPTS = {"follow": HERE / "follow.py", "chromium": HERE / "open_in_chromium.py"}


def browser_command(
    folder: Path,
    kind: str = "follow",
    *,
    log: Path,
    decision: str = "allow",
    detach: bool = True,
    **settings: str,
) -> Path:
    """An executable ``folder/browser-KIND`` for ``BROWSER``: it runs the stand-in browser
    ``kind`` (``follow`` or ``chromium``) on its one argument, logging to ``log``.
    ``detach`` for clients that wait for the browser command to exit before they serve their
    callback (the AWS CLI does). ``settings`` become ``FOLLOW_<NAME>`` variables."""
    variables = {"FOLLOW_LOG": str(log), "FOLLOW_DECISION": decision}
    variables.update({f"FOLLOW_{name.upper()}": value for name, value in settings.items()})
    if detach:
        variables["FOLLOW_DETACH"] = "1"
    exports = "".join(f"export {k}={shlex.quote(v)}\n" for k, v in variables.items())
    script = folder / f"browser-{kind}"
    script.write_text(
        f'#!/bin/sh\n{exports}exec {shlex.quote(sys.executable)} {shlex.quote(str(SCRIPTS[kind]))} "$1"\n'
    )
    script.chmod(0o755)
    return script


def steps(log: Path) -> list[dict[str, Any]]:
    if not log.exists():
        return []
    return [json.loads(line) for line in log.read_text().splitlines() if line.strip()]


def finished(log: Path, runs: int = 1, timeout: float = 30) -> list[dict[str, Any]]:
    """The steps in ``log`` once ``runs`` walks have ended (``{"step": "end"}``)."""
    wait_for(lambda: steps(log).count({"step": "end"}) >= runs, "the browser", timeout)
    return [s for s in steps(log) if s != {"step": "end"}]


def run_with_browser(
    command: list[str], env: dict[str, str], log: Path, timeout: float = 90
) -> tuple[subprocess.CompletedProcess[str], list[dict[str, Any]]]:
    """Run a client whose ``BROWSER`` logs to ``log``; returns its result and the browser's
    steps. A browser that failed ends the client at once (it would wait for a callback
    that never comes: the AWS CLI for 10 minutes), so a broken page fails in seconds."""
    client = subprocess.Popen(
        command,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + timeout
    while client.poll() is None:
        walked = steps(log)
        failed = [s for s in walked if s["step"] == "done" and not s["ok"]]
        if (failed and {"step": "end"} in walked) or time.monotonic() > deadline:
            client.kill()
            break
        time.sleep(0.1)
    stdout, stderr = client.communicate()
    completed = subprocess.CompletedProcess(command, client.returncode, stdout, stderr)
    if client.returncode == 0 or steps(log):
        return completed, finished(log)
    return completed, []  # the client failed before it opened a browser
