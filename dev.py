#!/usr/bin/env python3
"""Project tasks that need nothing but python3: ``python3 dev.py demo|test|bench|package``
(on Windows ``py dev.py ...``).

Each task creates ``.venv`` on first use and reinstalls the project (with its
dev extras) only when ``pyproject.toml`` has changed since the last install.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
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


def _run(*command: str, env: dict[str, str] | None = None) -> None:
    print("+", " ".join(command), flush=True)
    completed = subprocess.run(command, cwd=ROOT, env=env, check=False)
    if completed.returncode:
        sys.exit(completed.returncode)


def _output(*command: str, env: dict[str, str] | None = None) -> str:
    """What ``command`` prints; its errors shown and dev.py ended if it fails."""
    print("+", " ".join(command), flush=True)
    completed = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if completed.returncode:
        sys.stderr.write(completed.stdout + completed.stderr)
        sys.exit(completed.returncode)
    return completed.stdout


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


def package(args: list[str]) -> None:
    """The release: sdist and wheel into dist/, checked as PyPI renders them, and the wheel
    installed with pipx (as users install it) into throwaway folders, where it must run."""
    import tomllib  # here: dev.py may be started by a python3 older than 3.11

    if args:
        sys.exit("usage: python3 dev.py package")
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    dist = ROOT / "dist"
    for old in dist.glob("devcreds-*"):
        old.unlink()
    # build makes the sdist, then the wheel from it: a file missing from the sdist fails here.
    _run(_tool("python"), "-m", "build", "--outdir", str(dist), str(ROOT))
    wheel = dist / f"devcreds-{version}-py3-none-any.whl"
    sdist = dist / f"devcreds-{version}.tar.gz"
    if sorted(dist.glob("devcreds-*")) != sorted([wheel, sdist]):
        sys.exit(f"expected {wheel.name} and {sdist.name} in dist/")
    # --strict: a warning (the README not rendering, a field missing) fails too.
    _run(_tool("python"), "-m", "twine", "check", "--strict", str(sdist), str(wheel))
    with tempfile.TemporaryDirectory(prefix="devcreds-pipx-", ignore_cleanup_errors=True) as tmp:
        place = Path(tmp)
        env = dict(os.environ)
        # Never the user's pipx: its venvs, commands and manual pages all go to this folder.
        env.update(
            PIPX_HOME=str(place / "home"),
            PIPX_BIN_DIR=str(place / "bin"),
            PIPX_MAN_DIR=str(place / "man"),
        )
        _run(_tool("python"), "-m", "pipx", "install", str(wheel), env=env)
        devcreds = shutil.which("devcreds", path=str(place / "bin"))
        if devcreds is None:
            sys.exit("pipx installed no devcreds command")
        said = _output(devcreds, "--version", env=env).strip()
        if version not in said:
            sys.exit(f"the installed devcreds --version says {said!r}, not {version}")
        if "Usage: devcreds" not in _output(devcreds, "--help", env=env):
            sys.exit("the installed devcreds --help shows no usage")
    print(f"package: built dist/{sdist.name} and dist/{wheel.name}", flush=True)
    print("  twine check --strict: both pass", flush=True)
    print(f"  pipx install of the wheel (throwaway PIPX_HOME): {said!r}, --help works", flush=True)


TASKS = {"test": test, "demo": demo, "bench": bench, "package": package}


def main() -> None:
    if len(sys.argv) < 2 or sys.argv[1] not in TASKS:
        sys.exit(f"usage: python3 dev.py {{{'|'.join(TASKS)}}} [ARGS...]")
    if sys.version_info < (3, 11):  # noqa: UP036 - dev.py may be started by an older python3
        sys.exit("devcreds needs Python 3.11 or newer")
    _ensure_venv()
    TASKS[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    main()
