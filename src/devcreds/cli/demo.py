"""``devcreds demo``: the whole job on the embedded emulator, in a throwaway home.

configure sso → login → write launchSettings.json (and show the diff) → an app
using those credentials → status → clean (and show the file is as it was).
Each step runs ``devcreds`` in its own process, exactly as a user would type it.
"""

from __future__ import annotations

import difflib
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from rich.panel import Panel
from rich.syntax import Syntax

from devcreds.cli import render
from devcreds.emulator import Emulator, EmulatorConfig, running
from devcreds.errors import UsageError

START_URL = "https://d-0123456789.awsapps.com/start"
# A launchSettings.json as Visual Studio writes them, with a comment dotnet tolerates.
SAMPLE = """{
  "$schema": "http://json.schemastore.org/launchsettings.json",
  "profiles": {
    "SampleApi": {
      "commandName": "Project",
      "launchBrowser": true,
      "environmentVariables": {
        "ASPNETCORE_ENVIRONMENT": "Development"
        // "ASPNETCORE_URLS": "http://localhost:5000"
      },
      "applicationUrl": "https://localhost:7001"
    },
    "Docker": {
      "commandName": "Docker"
    }
  }
}
"""


def demo() -> None:
    """Log in, fetch credentials and update a sample launchSettings.json, all offline.

    Examples:

    \b
      devcreds demo
    """
    with tempfile.TemporaryDirectory(prefix="devcreds-demo-") as home:
        # Nothing of the user's AWS setup may leak in, nor anything of ours out.
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update(HOME=home, USERPROFILE=home)
        with running(Emulator(EmulatorConfig(auto_approve=True))) as server:
            env["AWS_ENDPOINT_URL"] = server.url
            _walk_through(Path(home), server.url, env)


def _step(text: str) -> None:
    render.stdout.print(f"\n[bold cyan]▶ {text}[/]")


def _devcreds(env: dict[str, str], *args: str) -> None:
    """Run a devcreds command as a user would, in its own process, output shown as it is."""
    render.stdout.file.flush()
    completed = subprocess.run([sys.executable, "-m", "devcreds", *args], env=env, check=False)
    if completed.returncode:
        raise UsageError(f"the demo stopped: devcreds {args[0]} exited {completed.returncode}")


def _walk_through(home: Path, url: str, env: dict[str, str]) -> None:
    out = render.stdout
    out.print(f"[bold]devcreds demo[/]: IAM Identity Center emulator on {url}, home {home}")

    _step("devcreds configure sso --profile demo …")
    _devcreds(
        env,
        *("configure", "sso", "--profile", "demo", "--sso-session", "demo"),
        *("--start-url", START_URL, "--sso-region", "us-east-1"),
        *("--account-id", "111111111111", "--role-name", "Developer", "--region", "eu-west-1"),
    )
    out.print(Syntax((home / ".aws" / "config").read_text(), "ini", theme="ansi_dark"))

    _step("devcreds login --profile demo   (the emulator approves the device code at once)")
    _devcreds(env, "login", "--profile", "demo", "--use-device-code", "--no-browser")

    project = home / "SampleApi" / "Properties" / "launchSettings.json"
    project.parent.mkdir(parents=True)
    project.write_text(SAMPLE)
    _step("devcreds write launchsettings SampleApi/Properties/launchSettings.json")
    _devcreds(env, "write", "launchsettings", str(project), "--profile", "demo")
    after = project.read_text()
    diff = "".join(
        difflib.unified_diff(SAMPLE.splitlines(True), after.splitlines(True), "before", "after")
    )
    out.print(Syntax(_masked(diff), "diff", theme="ansi_dark"))

    _step("an app reading that file calls STS with the credentials in it")
    out.print(f"  caller: {_caller(after, url)}")

    _step("devcreds status")
    _devcreds(env, "status")

    _step("devcreds clean --all")
    _devcreds(env, "clean", "--all")
    same = project.read_text() == SAMPLE
    out.print(f"  launchSettings.json is byte for byte as before: {'yes' if same else 'NO'}")
    out.print(
        Panel(
            "Try it yourself:\n"
            "  devcreds emulator --auto-approve        (prints its address)\n"
            "  export AWS_ENDPOINT_URL=<that address>\n"
            "  devcreds configure sso, login, export, write … as in the README",
            title="done",
        )
    )


def _masked(text: str) -> str:
    """Secrets shortened for the screen: the demo shows where they go, not what they are."""
    return re.sub(r'("AWS_(?:SECRET_ACCESS_KEY|SESSION_TOKEN)": ")([^"]{4})[^"]*"', r'\1\2…"', text)


def _caller(settings: str, url: str) -> str:
    import boto3

    from devcreds.sinks import jsonc

    env = jsonc.to_python(jsonc.parse(settings))["profiles"]["SampleApi"]["environmentVariables"]
    sts = boto3.session.Session(
        aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
        aws_session_token=env["AWS_SESSION_TOKEN"],
        region_name="eu-west-1",
    ).client("sts", endpoint_url=url)
    return str(sts.get_caller_identity()["Arn"])
