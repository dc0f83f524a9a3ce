#!/usr/bin/env python3
"""Project tasks that need nothing but python3: ``python3 dev.py demo|test|bench``.

Each task creates ``.venv`` on first use and reinstalls the project (with its
dev extras) only when ``pyproject.toml`` has changed since the last install.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
STAMP = VENV / "devcreds-installed.sha256"


def _tool(name: str) -> str:
    return str(BIN / (f"{name}.exe" if os.name == "nt" else name))


def _ensure_venv() -> None:
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text() == wanted:
        return
    if not (BIN / "python").exists() and not (BIN / "python.exe").exists():
        print("creating .venv", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    print("installing devcreds and its dev tools into .venv", flush=True)
    pip = [_tool("python"), "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "install", "-e", f"{ROOT}[dev]"], check=True)
    STAMP.write_text(wanted)


def _run(*command: str) -> None:
    print("+", " ".join(command), flush=True)
    completed = subprocess.run(command, cwd=ROOT, check=False)
    if completed.returncode:
        sys.exit(completed.returncode)


def _ensure_js() -> None:
    """The AWS SDK for JavaScript v3 the interop tests drive, from tests/js/package-lock.json."""
    js = ROOT / "tests" / "js"
    stamp = js / "node_modules" / ".devcreds-installed.sha256"
    wanted = hashlib.sha256((js / "package-lock.json").read_bytes()).hexdigest()
    npm = shutil.which("npm")
    if npm is None or (stamp.exists() and stamp.read_text() == wanted):
        return  # without npm the JavaScript tests say so (and fail under CI=true)
    _run(npm, "ci", "--prefix", str(js), "--no-audit", "--no-fund", "--loglevel=error")
    stamp.write_text(wanted)


def test(args: list[str]) -> None:
    _ensure_js()
    _run(_tool("ruff"), "check", ".")
    _run(_tool("ruff"), "format", "--check", ".")
    _run(_tool("mypy"))
    _run(_tool("python"), "-m", "pytest", *args)


def demo(args: list[str]) -> None:
    _run(_tool("devcreds"), "demo", *args)


def bench(args: list[str]) -> None:
    # Compiled bytecode, as any installed package has it: timings must not include compiling.
    _run(_tool("python"), "-m", "compileall", "-q", "src")
    _run(_tool("python"), "bench/run.py", *args)


TASKS = {"test": test, "demo": demo, "bench": bench}


def main() -> None:
    if len(sys.argv) < 2 or sys.argv[1] not in TASKS:
        sys.exit(f"usage: python3 dev.py {{{'|'.join(TASKS)}}} [ARGS...]")
    if sys.version_info < (3, 11):  # noqa: UP036 - dev.py may be started by an older python3
        sys.exit("devcreds needs Python 3.11 or newer")
    _ensure_venv()
    TASKS[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    main()
