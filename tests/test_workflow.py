"""The GitHub Actions workflow (.github/workflows/test.yml): valid by GitHub's own schema, and
its marker expressions select what they say. Only Linux runs here, so this is all that can
be checked of the Windows and macOS jobs before GitHub runs them."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from ruamel.yaml import YAML  # comes with check-jsonschema (dev extras)

ROOT = Path(__file__).resolve().parents[1]
WORKFLOW = ROOT / ".github" / "workflows" / "test.yml"
CHROMIUM_TEST = "tests/browser/test_chromium.py::test_device_page_in_chromium"
SYSTEMD_TEST = "tests/serve/test_install.py::test_the_unit_passes_systemd_analyze_verify"
POSIX_TEST = (
    "tests/cli/test_eval_login.py::test_eval_export_at_a_terminal_logs_in_and_sets_the_variables"
)
PLAIN_TEST = "tests/serve/test_install.py::test_uninstall_removes_the_unit"


def _check_jsonschema(path: Path) -> subprocess.CompletedProcess[str]:
    """check-jsonschema of this venv with its vendored copy of GitHub's workflow schema.
    Offline: tests/conftest.py points HTTPS_PROXY at a closed port, and this inherits it."""
    tool = shutil.which("check-jsonschema", path=str(Path(sys.executable).parent))
    assert tool, "check-jsonschema is in the dev extras: pip install -e '.[dev]'"
    return subprocess.run(
        [tool, "--builtin-schema", "vendor.github-workflows", str(path)],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip


def _workflow() -> dict:
    return YAML(typ="safe").load(WORKFLOW.read_text(encoding="utf-8"))


def _workflow_includes() -> list[dict]:
    (job,) = _workflow()["jobs"].values()
    return job["strategy"]["matrix"]["include"]


def _collected(*args: str) -> set[str]:
    """The test ids pytest collects for these arguments (one process, no xdist)."""
    completed = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-n", "0",
         "-p", "no:cacheprovider", *args],
        cwd=ROOT, capture_output=True, text=True, timeout=100, check=False,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stdout + completed.stderr
    return {line for line in completed.stdout.splitlines() if "::" in line}


def test_the_workflow_passes_githubs_schema():
    completed = _check_jsonschema(WORKFLOW)
    assert completed.returncode == 0, completed.stdout + completed.stderr


def test_a_job_without_runs_on_fails_the_schema(tmp_path):
    """The check can fail: the same workflow with its job's runs-on line taken out."""
    lines = WORKFLOW.read_text(encoding="utf-8").splitlines(keepends=True)
    kept = [line for line in lines if not line.lstrip().startswith("runs-on:")]
    assert len(kept) == len(lines) - 1
    broken = tmp_path / "test.yml"
    broken.write_text("".join(kept), encoding="utf-8")
    completed = _check_jsonschema(broken)
    assert completed.returncode == 1, completed.stdout + completed.stderr
    assert "runs-on" in completed.stdout


def test_three_systems_two_pythons_the_readmes_command():
    workflow = _workflow()
    assert workflow["env"]["CI"] == "true"
    (job,) = workflow["jobs"].values()
    matrix = job["strategy"]["matrix"]
    assert matrix["os"] == ["ubuntu-latest", "windows-latest", "macos-latest"]
    assert matrix["python"] == ["3.11", "3.x"]
    uses = {step["uses"] for step in job["steps"] if "uses" in step}
    assert uses == {"actions/checkout@v4", "actions/setup-python@v5", "actions/setup-node@v4"}
    runs = [step.get("run", "") for step in job["steps"]]
    assert 'python dev.py test -m "$MARKERS"' in runs
    assert "python dev.py package" in runs


def test_the_marker_expressions_name_registered_markers():
    """pytest -m accepts a name no test carries and selects nothing by it: a misspelt marker
    would silently run every test it was meant to leave out."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    markers = pyproject["tool"]["pytest"]["ini_options"]["markers"]
    registered = {line.split(":")[0] for line in markers}
    expressions = {item["os"]: item["markers"] for item in _workflow_includes()}
    assert expressions == {
        "ubuntu-latest": "",
        "macos-latest": "not linux_tools",
        "windows-latest": "not linux_tools and not posix",
    }
    for expression in expressions.values():
        names = set(re.findall(r"\w+", expression)) - {"and", "or", "not"}
        assert names <= registered, names - registered


def test_linux_tools_selects_the_tests_that_need_them():
    """The umbrella marker tests/conftest.py adds: on Chromium's and systemd's tests, not on
    a test that needs nothing, nor on one needing only POSIX (macOS runs those)."""
    selected = _collected("-m", "linux_tools")
    assert {CHROMIUM_TEST, SYSTEMD_TEST} <= selected
    assert PLAIN_TEST not in selected
    assert POSIX_TEST not in selected


@pytest.mark.parametrize("os_name", ["macos-latest", "windows-latest"])
def test_each_jobs_expression_leaves_out_what_that_system_lacks(os_name):
    (expression,) = [item["markers"] for item in _workflow_includes() if item["os"] == os_name]
    selected = _collected("-m", expression, "tests/browser", "tests/serve/test_install.py",
                          "tests/cli/test_eval_login.py")  # fmt: skip
    assert CHROMIUM_TEST not in selected
    assert SYSTEMD_TEST not in selected
    assert PLAIN_TEST in selected
    assert (POSIX_TEST in selected) == (os_name == "macos-latest")
