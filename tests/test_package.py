"""Package-level promises: layering and a light top-level import."""

from __future__ import annotations

import ast
import importlib.util
import subprocess
import sys
from pathlib import Path

import devcreds

SRC = Path(devcreds.__file__).parent


def _imports(path: Path) -> list[str]:
    """The devcreds modules ``path`` imports (``from devcreds.cli import x`` counts as
    ``devcreds.cli.x``; relative imports are resolved)."""
    package = ".".join(("devcreds", *path.relative_to(SRC).with_suffix("").parts[:-1]))
    names = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            module = importlib.util.resolve_name("." * node.level + (node.module or ""), package)
            names += [module, *(f"{module}.{alias.name}" for alias in node.names)]
    return [name for name in names if name.startswith("devcreds")]


def test_emulator_imports_nothing_else_from_devcreds():
    """The emulator shares no code with the client side, so no misreading hides on both."""
    offenders = [
        f"{path.name}: {name}"
        for path in (SRC / "emulator").rglob("*.py")
        for name in _imports(path)
        if not name.startswith("devcreds.emulator")
    ]
    assert offenders == []


# The CLI's shared parts; every other module of cli/ is a command.
CLI_SHARED = {"app", "context", "options", "plain", "render", "signin", "ui", "__init__"}


def test_no_command_imports_another():
    """Commands share code only through the CLI's shared modules and the flows below."""
    commands = {p.stem for p in (SRC / "cli").glob("*.py")} - CLI_SHARED
    offenders = [
        f"{path.stem} imports {name}"
        for path in (SRC / "cli").glob("*.py")
        if path.stem in commands
        for name in _imports(path)
        if name.startswith("devcreds.cli.") and name.split(".")[2] in commands
    ]
    assert offenders == []


def test_imports_point_downward():
    """Nothing below the CLI imports it (the entry point aside), and no flow imports the
    library module."""
    offenders = [
        f"{path.relative_to(SRC)} imports {name}"
        for path in SRC.rglob("*.py")
        if path.parent.name != "cli" and path.name != "__main__.py"
        for name in _imports(path)
        if name.startswith("devcreds.cli")
        or (name.startswith("devcreds.library") and path.name != "__init__.py")
    ]
    assert offenders == []


def test_importing_devcreds_stays_light():
    """`import devcreds` loads no AWS SDK, CLI framework or terminal library."""
    code = (
        "import sys, devcreds; "
        "heavy = ('botocore', 'boto3', 'typer', 'click', 'rich'); "
        "print(sorted(m for m in heavy if m in sys.modules))"
    )
    completed = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert completed.stdout.strip() == "[]"


def test_public_names_resolve():
    """Every name in devcreds.__all__ is importable (the library loads on first use)."""
    assert all(getattr(devcreds, name) for name in devcreds.__all__)
