"""The platform seam's home and file rules: the same folders as botocore on each OS.

botocore expands paths with the running OS's ``os.path``; here the Windows rules are
checked on Linux by giving botocore's config loader ``ntpath`` and the environment to
test, and comparing the path it would open with the one devcreds computes.
"""

from __future__ import annotations

import ntpath
import os
import posixpath
import types
from pathlib import PureWindowsPath

import botocore.configloader
import botocore.exceptions
import botocore.session
import pytest

from devcreds import fastpath
from devcreds.paths import Paths
from devcreds.platforms import Platform

WINDOWS = Platform("win32")
LINUX = Platform("linux")

WINDOWS_HOMES = [
    pytest.param({"USERPROFILE": r"C:\Users\dev"}, id="USERPROFILE"),
    pytest.param({"USERPROFILE": r"C:\Users\dev", "HOME": "H:\\"}, id="USERPROFILE-and-HOME"),
    pytest.param({"HOMEDRIVE": "D:", "HOMEPATH": r"\Users\dev"}, id="HOMEDRIVE-HOMEPATH"),
    pytest.param(
        {"USERPROFILE": r"C:\Users\dev", "HOME": "/c/Users/dev/git-home"}, id="Git-for-Windows"
    ),
]
CONFIG_VALUES = [
    None,
    r"~\corp\config",
    r"%USERPROFILE%\corp\config",
    r"$USERPROFILE\corp\config",
    r"D:\shared\aws-config",
]


def _environment(monkeypatch: pytest.MonkeyPatch, environ: dict[str, str]) -> None:
    for name in ("HOME", "USERPROFILE", "HOMEDRIVE", "HOMEPATH", "AWS_CONFIG_FILE"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)


def _botocore_config_path(monkeypatch: pytest.MonkeyPatch) -> str:
    """The config file botocore on Windows would open for the process environment."""
    configured = botocore.session.Session().get_config_variable("config_file")
    monkeypatch.setattr(botocore.configloader, "os", types.SimpleNamespace(path=ntpath))
    try:
        botocore.configloader.raw_config_parse(configured)
    except botocore.exceptions.ConfigNotFound as exc:
        return str(exc.kwargs["path"])
    finally:
        monkeypatch.undo()
    raise AssertionError("a Windows path was found on this machine")


@pytest.mark.parametrize("environ", WINDOWS_HOMES)
def test_the_windows_home_is_ntpaths_never_HOME(monkeypatch, environ):
    """On Windows the home is what ntpath.expanduser gives: USERPROFILE first, HOME never."""
    _environment(monkeypatch, environ)
    assert WINDOWS.home(environ) == ntpath.expanduser("~")
    assert Paths.from_environ(environ, WINDOWS).home == type(Paths.from_environ({}).home)(
        ntpath.expanduser("~")
    )


@pytest.mark.parametrize("configured", CONFIG_VALUES)
@pytest.mark.parametrize("environ", WINDOWS_HOMES)
def test_the_windows_config_file_is_botocores(monkeypatch, environ, configured):
    """AWS_CONFIG_FILE (unset, ~, %VAR%, $VAR, absolute) names the file botocore opens on
    Windows, in the full CLI and in the fast path alike."""
    environ = dict(environ)
    if configured is not None:
        environ["AWS_CONFIG_FILE"] = configured
    _environment(monkeypatch, environ)
    expected = PureWindowsPath(_botocore_config_path(monkeypatch))
    _environment(monkeypatch, environ)  # undone by _botocore_config_path; %VAR% needs it
    assert PureWindowsPath(str(Paths.from_environ(environ, WINDOWS).config_file)) == expected
    home = WINDOWS.home(environ)
    assert PureWindowsPath(fastpath._config_path(environ, home, WINDOWS)) == expected


def test_a_windows_machine_without_any_home_variable_keeps_ntpaths_tilde(monkeypatch):
    """No USERPROFILE nor HOMEPATH: left as "~", as ntpath (and so botocore) leaves it."""
    _environment(monkeypatch, {"HOME": "/home/dev"})
    assert WINDOWS.home({"HOME": "/home/dev"}) == ntpath.expanduser("~") == "~"


@pytest.mark.parametrize(
    "environ",
    [{"HOME": "/home/dev"}, {"HOME": "/home/dev/", "USERPROFILE": "/elsewhere"}, {"HOME": ""}],
)
def test_the_posix_home_is_HOME_never_USERPROFILE(monkeypatch, environ):
    """On Linux and macOS the home is posixpath.expanduser's: HOME, whatever USERPROFILE says."""
    _environment(monkeypatch, environ)
    assert LINUX.home(environ) == posixpath.expanduser("~")


def test_the_posix_home_without_HOME_is_the_password_databases(monkeypatch):
    """No HOME at all: the user's entry in the password database, as posixpath does it."""
    monkeypatch.delenv("HOME", raising=False)
    assert LINUX.home({}) == posixpath.expanduser("~") != "~"


def test_the_credentials_file_variable_expands_the_same_way(monkeypatch):
    """AWS_SHARED_CREDENTIALS_FILE follows the config file's rule."""
    environ = {"USERPROFILE": r"C:\Users\dev", "AWS_SHARED_CREDENTIALS_FILE": r"~\keys"}
    _environment(monkeypatch, environ)
    paths = Paths.from_environ(environ, WINDOWS)
    assert PureWindowsPath(str(paths.credentials_file)) == PureWindowsPath(r"C:\Users\dev\keys")
    assert fastpath._credentials_path(environ, WINDOWS.home(environ), WINDOWS) == (
        ntpath.expanduser(r"~\keys")
    )


def test_the_host_platform_is_this_machines():
    """HOST's path rules are the running OS's own."""
    from devcreds.platforms import HOST

    assert HOST.path is os.path


def test_fixes_are_worded_for_powershell_on_windows():
    """Windows hints are PowerShell (single quotes doubled inside), never ls or chmod."""
    path = r"C:\Users\o'neil\.aws\sso\cache"
    assert WINDOWS.show_permissions(path) == r"icacls 'C:\Users\o''neil\.aws\sso\cache'"
    assert WINDOWS.make_writable(r"C:\app\launchSettings.json") == (
        r"Set-ItemProperty 'C:\app\launchSettings.json' -Name IsReadOnly -Value $false"
    )


def test_fixes_are_worded_for_a_posix_shell_elsewhere():
    """Linux and macOS hints are sh words, a path with a space quoted."""
    assert (
        Platform("darwin").show_permissions("/Users/dev/My Files") == "ls -ld '/Users/dev/My Files'"
    )
    assert LINUX.make_writable("/home/dev/app/.env") == "chmod u+w /home/dev/app/.env"


def test_a_file_error_on_this_host_names_the_hosts_command(tmp_path):
    """A link pointing at itself: one error (no traceback), the hint in the host's words."""
    from devcreds import files
    from devcreds.errors import FileError

    looped = tmp_path / "loop"
    looped.symlink_to(looped)
    with pytest.raises(FileError) as caught:
        files.snapshot(looped)
    assert caught.value.message == f"{looped} is a loop of symbolic links"
    assert caught.value.hint == LINUX.show_permissions(looped)
