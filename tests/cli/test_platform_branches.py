"""The CLI's macOS and Windows branches, run here through the platform seam: which login
flow a displayless desktop gets, how exec runs a command, the desktop notification."""

from __future__ import annotations

import sys

import pytest

from devcreds.awsconfig import LoginPreferences, SsoSession
from devcreds.cli.execute import launch
from devcreds.cli.signin import LoginOptions, choose_flow
from devcreds.cli.watch import notification
from devcreds.errors import CommandNotFound
from devcreds.platforms import Platform

SESSION = SsoSession("corp", "https://d-1234567890.awsapps.com/start", "us-east-1", None)
NO_PREFERENCES = LoginPreferences(None, None, None)


@pytest.mark.parametrize(("name", "browser"), [("linux", False), ("darwin", True), ("win32", True)])
def test_only_linux_needs_a_display_variable_for_the_browser_flow(name, browser):
    """No DISPLAY means no browser on Linux only: macOS and Windows desktops have no such
    variable and open the browser."""
    choice = choose_flow(
        SESSION, "dev", LoginOptions(), NO_PREFERENCES, {}, Platform(name), lambda: True
    )
    assert choice.browser is browser


def test_exec_on_windows_waits_for_the_command_and_returns_its_code():
    """Windows has no exec keeping the process: the command runs as a child, its exit code
    is exec's."""
    code = launch([sys.executable, "-c", "raise SystemExit(3)"], {}, Platform("win32"))
    assert code == 3


def test_exec_on_windows_names_a_missing_command():
    """A command that does not exist: CommandNotFound, as on POSIX."""
    with pytest.raises(CommandNotFound):
        launch(["devcreds-no-such-command"], {"PATH": ""}, Platform("win32"))


def test_macos_notifications_go_through_osascript_with_quotes_escaped():
    """macOS: AppleScript's display notification, its string's quotes and backslashes escaped."""
    command = notification('token for "corp" expired \\ log in', Platform("darwin"))
    assert command == [
        "osascript",
        "-e",
        'display notification "token for \\"corp\\" expired \\\\ log in" with title "devcreds"',
    ]


def test_linux_notifications_go_through_notify_send():
    """Linux (and Windows, where notify-send is absent, so nothing is shown)."""
    command = notification("log in", Platform("linux"))
    assert command == ["notify-send", "--app-name=devcreds", "devcreds", "log in"]
