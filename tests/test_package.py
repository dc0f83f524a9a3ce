"""Package-level promises: layering and a light top-level import."""

from __future__ import annotations

import ast
import importlib.util
import subprocess
import sys
from pathlib import Path

import devcreds

SRC = Path(devcreds.__file__).parent


def test_emulator_imports_nothing_else_from_devcreds():
    """The emulator shares no code with the client side, so no misreading hides on both."""
    offenders = []
    for path in (SRC / "emulator").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                # Relative imports count too: "from .. import cache" is devcreds.cache.
                module = "." * node.level + (node.module or "")
                names = [importlib.util.resolve_name(module, "devcreds.emulator")]
            offenders += [
                f"{path.name}: {name}"
                for name in names
                if name.startswith("devcreds") and not name.startswith("devcreds.emulator")
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
