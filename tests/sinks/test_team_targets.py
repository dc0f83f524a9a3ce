"""Which targets of a mixed launch file get the serve endpoint (or keys), which are skipped
and why; everything else byte-exact, and clean gives back the original bytes."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from devcreds.sinks import deliver, jsonc
from devcreds.sinks.deliver import Delivery
from tests.sinks.flow import CREDS, NOW, Sinks

URL = "http://127.0.0.1:9155/account/111111111111/role/Developer"
ENDPOINT = {
    "AWS_CONTAINER_CREDENTIALS_FULL_URI": URL,
    "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": "/home/a/.aws/devcreds/serve/token",
}
LAUNCH_SETTINGS = """{
  // the team's solution
  "profiles": {
    "Web": {
      "commandName": "Project",
      "environmentVariables": { "ASPNETCORE_ENVIRONMENT": "Development" }
    },
    "Container (Dockerfile)": {
      "commandName": "Docker",
      "publishAllPorts": true
    },
    "Compose": { "commandName": "DockerCompose" },
    "LocalStack": {
      "commandName": "Project",
      "environmentVariables": {
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test"
      }
    },
    "Named profile": {
      "commandName": "Project",
      "environmentVariables": { "AWS_PROFILE": "sandbox" }
    }
  }
}
"""
LAUNCH_JSON = """{
    "version": "0.2.0",
    "configurations": [
        {"name": "Launch", "type": "coreclr", "request": "launch", "program": "app.dll"},
        {"name": "Attach", "type": "coreclr", "request": "attach", "processId": "${command:pickProcess}"},
        {"name": "With envFile", "type": "coreclr", "request": "launch", "envFile": "${workspaceFolder}/.env"},
        {"name": "In Docker", "type": "docker", "request": "launch", "platform": "netCore"},
        {"name": "Own endpoint", "type": "coreclr", "request": "launch",
         "env": {"AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://127.0.0.1:1234/creds"}},
    ]
}
"""


def _write(sinks: Sinks, kind: str, path: Path, via: str | None) -> deliver.Report:
    variables = ENDPOINT if via else CREDS
    expires = None if via else NOW + dt.timedelta(hours=1)
    delivery = Delivery(dict(variables), "dev", expires, via=via)
    return deliver.write(sinks.paths, kind, [path], lambda: delivery, now=NOW, via=via)


def _written(
    tmp_path: Path, kind: str, text: str, via: str | None
) -> tuple[Sinks, Path, deliver.Report]:
    """A file holding ``text``, written as ``devcreds write KIND`` (with ``--via``) does."""
    sinks = Sinks.at(tmp_path / "home")
    path = tmp_path / "file.json"
    path.write_text(text)
    return sinks, path, _write(sinks, kind, path, via)


def _environments(kind: str, text: str) -> dict[str, dict[str, str]]:
    document = jsonc.to_python(jsonc.parse(text))
    if kind == "launchsettings":
        return {n: p.get("environmentVariables", {}) for n, p in document["profiles"].items()}
    return {c["name"]: c.get("env", {}) for c in document["configurations"]}


CASES = {
    # kind, text, via -> the targets written, and the skipped ones with the start of why
    "launchsettings-serve": (
        "launchsettings",
        LAUNCH_SETTINGS,
        "serve",
        ["Web"],
        {
            "Container (Dockerfile)": "runs in a container (Docker), where 127.0.0.1 is",
            "Compose": "Docker Compose gives it the compose file's environment",
            "LocalStack": "has its own AWS_ACCESS_KEY_ID, which the SDKs read before",
            "Named profile": "has its own AWS_PROFILE, which the SDKs read before",
        },
    ),
    "launchsettings-keys": (
        "launchsettings",
        LAUNCH_SETTINGS,
        None,
        ["Web", "Container (Dockerfile)", "LocalStack", "Named profile"],
        {"Compose": "Docker Compose gives it the compose file's environment"},
    ),
    "vscode-serve": (
        "vscode",
        LAUNCH_JSON,
        "serve",
        ["Launch", "With envFile"],
        {
            "Attach": "attaches to a running process, which never reads its env",
            "In Docker": "runs in a container or on another machine",
            "Own endpoint": "has its own AWS_CONTAINER_CREDENTIALS_FULL_URI",
        },
    ),
    "vscode-keys": (
        "vscode",
        LAUNCH_JSON,
        None,
        ["Launch", "With envFile", "In Docker", "Own endpoint"],
        {"Attach": "attaches to a running process, which never reads its env"},
    ),
}


@pytest.mark.parametrize(("kind", "text", "via", "written", "skipped"), CASES.values(), ids=CASES)
def test_each_target_is_written_or_skipped_with_why(
    tmp_path, kind, text, via, written, skipped
):  # fmt: skip
    """The targets an SDK would read get the variables; each other one is named with why."""
    _, path, report = _written(tmp_path, kind, text, via)
    assert report.failures == []
    (outcome,) = report.outcomes
    label = "launch profile" if kind == "launchsettings" else "configuration"
    assert len(outcome.skipped) == len(skipped)
    for line, (name, why) in zip(outcome.skipped, skipped.items(), strict=True):
        assert line.startswith(f'{label} "{name}": {why}')
    first = next(iter(ENDPOINT if via else CREDS))
    environments = _environments(kind, path.read_text())
    got = sorted(
        name
        for name, env in environments.items()
        if first in env and env[first] in (ENDPOINT | CREDS).values()
    )
    assert got == sorted(written)


@pytest.mark.parametrize(("kind", "text", "via", "written", "skipped"), CASES.values(), ids=CASES)
def test_skipped_targets_stay_byte_exact_and_clean_restores_the_file(
    tmp_path, kind, text, via, written, skipped
):  # fmt: skip
    """Only the written targets change; clean gives back the original bytes."""
    sinks, path, _ = _written(tmp_path, kind, text, via)
    after = _environments(kind, path.read_text())
    before = _environments(kind, text)
    assert {n: after[n] for n in skipped} == {n: before[n] for n in skipped}
    report = deliver.clean(sinks.paths, [path])
    assert report.failures == []
    assert path.read_text() == text


def test_a_container_profile_named_with_via_serve_is_still_skipped(tmp_path):
    """--launch-profile naming a Docker profile: the endpoint could not work there either."""
    sinks = Sinks.at(tmp_path / "home")
    path = tmp_path / "launchSettings.json"
    path.write_text(LAUNCH_SETTINGS)
    delivery = Delivery(dict(ENDPOINT), "dev", None, via="serve")
    report = deliver.write(
        sinks.paths, "launchsettings", [path], lambda: delivery, now=NOW,
        only=["Container (Dockerfile)"], via="serve",
    )  # fmt: skip
    (outcome,) = report.outcomes
    assert outcome.note == "nothing to write: no launch profile takes credentials"
    assert path.read_text() == LAUNCH_SETTINGS


def test_a_dotenv_with_its_own_profile_gets_no_endpoint(tmp_path):
    """A .env that sets AWS_PROFILE: the SDKs would read the profile first, so the endpoint
    is not written, and the line says so of the file."""
    sinks = Sinks.at(tmp_path / "home")
    path = tmp_path / ".env"
    path.write_text("AWS_PROFILE=sandbox\n")
    (outcome,) = _write(sinks, "dotenv", path, "serve").outcomes
    assert outcome.skipped == [
        "the file: has its own AWS_PROFILE, which the SDKs read before the endpoint"
    ]
    assert path.read_text() == "AWS_PROFILE=sandbox\n"
