"""serve --install on Windows, through the platform seam: a value under the user's own Run
key (no administrator), the AWS variables in logon.json, the output in serve.log."""

from __future__ import annotations

import datetime as dt
import http.client
import json
import signal
import subprocess
import sys

import pytest

from devcreds import status
from devcreds.awsconfig import load
from devcreds.errors import UsageError
from devcreds.paths import Paths
from devcreds.platforms import Platform
from devcreds.serve import install
from tests.support import wait_for

WINDOWS = Platform("win32")
PYTHON = r"C:\Program Files\Python311\python.exe"


class Manager:
    """The commands devcreds gives Windows (reg.exe), and the programs it starts."""

    def __init__(self, answer: bool = True) -> None:
        self.steps: list[list[str]] = []
        self.started: list[list[str]] = []
        self.answer = answer

    def run(self, step: list[str]) -> bool:
        self.steps.append(step)
        return self.answer

    def spawn(self, program: list[str]) -> None:
        self.started.append(program)


def _install(paths, environ, manager, port=9155):
    return install.install(paths, environ, port, WINDOWS, manager.run, manager.spawn)


@pytest.fixture
def paths(tmp_path):
    return Paths.from_environ({"HOME": str(tmp_path)})


def test_the_run_value_starts_pythonw_with_no_console_and_no_elevation():
    """reg add under HKCU (the user's own hive): pythonw beside python.exe, quoted for a path
    with spaces, running serve --at-logon; no schtasks, no HKLM, no runas."""
    step = install.windows_run_value(PYTHON, WINDOWS)
    assert step[:3] == ["reg", "add", r"HKCU\Software\Microsoft\Windows\CurrentVersion\Run"]
    assert step[3:9] == ["/v", "devcreds-serve", "/t", "REG_SZ", "/d", step[8]]
    assert step[8] == ('"C:\\Program Files\\Python311\\pythonw.exe" -m devcreds serve --at-logon')
    assert step[9:] == ["/f"]
    assert not {"schtasks", "runas", "/RL"} & set(step)
    assert "HKLM" not in " ".join(step)


def test_install_writes_logon_json_and_starts_serve_now(paths):
    """The variables the Linux and macOS units carry, in JSON (quotes, % and line breaks kept
    as they are), never a key; serve is started at once, as the next logon will."""
    environ = {
        "AWS_CONFIG_FILE": 'C:\\Users\\dev\\"odd"\n%USERPROFILE%\\config',
        "AWS_ENDPOINT_URL_SSO": "http://127.0.0.1:9999",
        "AWS_SECRET_ACCESS_KEY": "s3cr3tValue",
        "PATH": r"C:\Windows",
    }
    manager = Manager()
    done = _install(paths, environ, manager, port=9177)
    assert done.enabled
    assert done.path == install.logon_file(paths)
    written = json.loads(install.logon_file(paths).read_text())
    assert written == {
        "port": 9177,
        "environment": {
            "AWS_CONFIG_FILE": environ["AWS_CONFIG_FILE"],
            "AWS_ENDPOINT_URL_SSO": "http://127.0.0.1:9999",
        },
    }
    assert "s3cr3tValue" not in install.logon_file(paths).read_text()
    assert [step[:2] for step in manager.steps] == [["reg", "add"]]
    assert manager.started == [install.windows_program(sys.executable, WINDOWS)]


def test_a_refused_registry_write_is_left_for_the_user_and_nothing_starts(paths):
    """reg.exe missing or refused: the exact command to run by hand, no serve started."""
    manager = Manager(answer=False)
    done = _install(paths, {}, manager)
    assert not done.enabled
    assert done.todo is not None
    assert done.todo.startswith("reg add HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run")
    assert manager.started == []


def test_uninstall_deletes_the_run_value_and_logon_json(paths):
    """--uninstall: reg delete of the one value, logon.json gone; status no longer lists it."""
    _install(paths, {}, Manager())
    assert install.installed(paths, {}, WINDOWS) == install.logon_file(paths)
    manager = Manager()
    done = install.uninstall(paths, {}, WINDOWS, manager.run)
    assert manager.steps == [
        ["reg", "delete", r"HKCU\Software\Microsoft\Windows\CurrentVersion\Run", "/v",
         "devcreds-serve", "/f"]
    ]  # fmt: skip
    assert done.removed
    assert install.installed(paths, {}, WINDOWS) is None


def test_status_says_serve_starts_at_login(paths):
    """status carries the entry --install made (and nothing before)."""
    paths.config_file.parent.mkdir(parents=True)
    paths.config_file.write_text("")
    config = load(paths.config_file, paths.credentials_file)
    now = dt.datetime.now(dt.UTC)
    assert status.status(paths, config, now, None, {}, WINDOWS).serve_installed is None
    _install(paths, {}, Manager())
    found = status.status(paths, config, now, None, {}, WINDOWS).serve_installed
    assert found == install.logon_file(paths)


def test_a_path_too_long_for_the_run_key_is_refused_before_anything_is_written(paths):
    """Windows runs at most 260 characters from a Run value: one error, nothing written."""
    with pytest.raises(UsageError) as caught:
        install.windows_run_value("C:\\" + "d" * 260 + "\\python.exe", WINDOWS)
    assert "260" in caught.value.message
    assert not install.logon_file(paths).exists()


@pytest.mark.posix
def test_serve_at_logon_takes_logon_json_and_writes_serve_log(logged_in):
    """What Windows starts at logon, run here: the port and AWS_CONFIG_FILE from logon.json
    (a config only it names), everything printed going to serve.log."""
    other = logged_in.home / "team-config"
    other.write_text(
        logged_in.config.read_text()
        + "\n[profile only-here]\nsso_session = corp\nsso_account_id = 111111111111\n"
        "sso_role_name = Developer\n"
    )
    paths = Paths.from_environ({"HOME": str(logged_in.home)})
    _install(paths, {"AWS_CONFIG_FILE": str(other)}, Manager(), port=0)
    env = dict(logged_in.env)
    env.pop("AWS_CONFIG_FILE")
    process = subprocess.Popen(
        [sys.executable, "-m", "devcreds", "serve", "--at-logon"],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    log = install.log_file(paths)
    try:
        wait_for(lambda: log.exists() and "listening on" in log.read_text(), "serve.log")
        port = int(log.read_text().split("listening on http://127.0.0.1:", 1)[1].split()[0])
        token = (logged_in.home / ".aws" / "devcreds" / "serve" / "token").read_text()
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        connection.request("GET", "/profile/only-here", headers={"Authorization": token})
        response = connection.getresponse()
        assert response.status == 200, response.read()
        assert json.loads(response.read())["AccessKeyId"]
        connection.close()
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
    assert log.stat().st_mode & 0o077 == 0
    assert "stopped" in log.read_text()


def test_serve_at_logon_without_logon_json_says_so_in_serve_log(tmp_path):
    """No logon.json (an --install undone by hand): one error line with its fix, in serve.log,
    where a pythonw process without a console can still say it."""
    env = {"HOME": str(tmp_path), "PATH": "/usr/bin:/bin", "NO_COLOR": "1"}
    completed = subprocess.run(
        [sys.executable, "-m", "devcreds", "serve", "--at-logon"],
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 6
    assert completed.stderr == ""
    log = install.log_file(Paths.from_environ(env)).read_text()
    assert "is missing or damaged" in log
    assert "hint: devcreds serve --install" in log
    assert "Traceback" not in log
