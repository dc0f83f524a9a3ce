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
CLI_SHARED = {
    "app",
    "context",
    "options",
    "picker",
    "plain",
    "render",
    "running",
    "signin",
    "ui",
    "__init__",
}


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


# Each layer imports only from its own and lower ones: cli -> flows -> caches and config
# -> files and paths -> errors. The emulator stands apart (see above).
LAYERS = [
    {"devcreds", "errors", "platforms"},
    {"paths", "keys", "formats", "regions"},
    {"files", "awsconfig", "inifile"},
    {"cache"},
    {"sso", "sinks", "emulator"},
    {
        "credentials",
        "fastpath",
        "status",
        "library",
        "ssoconfig",
        "serve",
        "keepfresh",
        "listing",
        "console",
        "listcache",
        "populate",
        "doctor",
    },
    {"cli", "__main__"},
]
RANK = {part: rank for rank, parts in enumerate(LAYERS) for part in parts}


def _part(module: str) -> str:
    """devcreds.sinks.deliver -> sinks; devcreds.cache -> cache; devcreds.__version__ ->
    devcreds (a name of the package itself)."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in RANK else parts[0]


def test_imports_point_downward():
    """No module imports from a layer above its own (a test enforcing the layering)."""
    offenders = []
    for path in SRC.rglob("*.py"):
        relative = path.relative_to(SRC)
        # The package's __init__ is the library's public face; its __version__ is for all.
        own = "library" if relative.parts == ("__init__.py",) else relative.parts[0]
        own = own.removesuffix(".py")
        offenders += [
            f"{relative} ({own}) imports {name}"
            for name in _imports(path)
            if RANK[_part(name)] > RANK[own]
        ]
    assert offenders == []


def test_every_module_has_a_layer():
    """A new top-level module or package must be placed in LAYERS."""
    parts = {p.name.removesuffix(".py") for p in SRC.iterdir() if p.suffix == ".py" or p.is_dir()}
    assert parts - {"__init__", "__pycache__", "py.typed"} <= set(RANK)


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
