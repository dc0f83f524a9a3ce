"""The operating-system facts devcreds branches on, in one value a test can replace.

``HOST`` is the machine devcreds runs on. Code that behaves differently on
Windows, macOS or Linux takes a ``Platform`` parameter defaulting to ``HOST``,
so a test on Linux runs the Windows branch by passing ``Platform("win32", …)``
with the OS primitives it needs (``msvcrt``, a failing ``replace``, a clock).

Home resolution is botocore's, which is ``os.path.expanduser`` of the OS it
runs on: on Windows ``USERPROFILE`` (then ``HOMEDRIVE`` + ``HOMEPATH``) and
never ``HOME``, which Git for Windows and some companies set to another
folder; elsewhere ``HOME`` (then the password database). The AWS CLI, the .NET
SDK and boto3 all look there, so devcreds must too.

Imported by the cached ``export`` path: the standard library's os and sys only.
"""

from __future__ import annotations

import os
import sys
import time

TYPE_CHECKING = False  # as typing.TYPE_CHECKING, without importing typing (3 ms)
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from types import ModuleType
    from typing import Protocol

    class PathRules(Protocol):
        """What devcreds uses of an OS's ``os.path`` (ntpath or posixpath)."""

        def join(self, a: str, /, *p: str) -> str: ...
        def split(self, p: str, /) -> tuple[str, str]: ...
        def expanduser(self, path: str) -> str: ...
        def expandvars(self, path: str) -> str: ...


class Platform:
    """One operating system's rules; ``name`` is ``sys.platform``'s ("win32", "darwin", "linux")."""

    __slots__ = ("_msvcrt", "name", "path", "replace", "sleep")

    def __init__(
        self,
        name: str,
        *,
        msvcrt: ModuleType | None = None,
        replace: Callable[[str, str], None] = os.replace,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.name = name
        # That OS's os.path, imported only when asked for: on Linux ntpath alone would cost
        # the cached export 0.6 ms (-X importtime); posixpath is os.path there already.
        self.path: PathRules
        if name == "win32":
            import ntpath

            self.path = ntpath
        else:
            import posixpath

            self.path = posixpath
        self._msvcrt = msvcrt
        self.replace = replace  # os.replace: what a held file does to it differs by OS
        self.sleep = sleep  # the waits between replace attempts

    def __repr__(self) -> str:
        return f"Platform({self.name!r})"

    @property
    def windows(self) -> bool:
        return self.name == "win32"

    @property
    def macos(self) -> bool:
        return self.name == "darwin"

    @property
    def msvcrt(self) -> ModuleType:
        """Windows' C runtime module (its byte-range lock); injected in tests."""
        if self._msvcrt is None:
            import msvcrt  # type: ignore[import-not-found,unused-ignore]

            self._msvcrt = msvcrt
        return self._msvcrt

    def home(self, environ: Mapping[str, str]) -> str:
        """``os.path.expanduser("~")`` on this OS, read from ``environ``."""
        if self.windows:
            if "USERPROFILE" in environ:
                return environ["USERPROFILE"]
            if "HOMEPATH" not in environ:
                return "~"  # ntpath leaves it unexpanded, and so botocore's paths
            return self.path.join(environ.get("HOMEDRIVE", ""), environ["HOMEPATH"])
        if "HOME" in environ:
            return environ["HOME"].rstrip("/") or "/"
        return self.path.expanduser("~")  # the password database's entry for this user

    def expand(self, configured: str, environ: Mapping[str, str]) -> str:
        """``AWS_CONFIG_FILE``'s value as botocore reads it: ``expandvars``, then
        ``expanduser``. Variables expand against the process environment, as there;
        ``~`` against ``environ``'s home; ``~user`` as the OS does it."""
        expanded = self.path.expandvars(configured)
        if not expanded.startswith("~"):
            return expanded
        separators = "\\/" if self.windows else "/"
        if len(expanded) == 1 or expanded[1] in separators:
            return self.home(environ) + expanded[1:]
        return self.path.expanduser(expanded)

    # The words of a fix, in the user's shell: PowerShell on Windows, a POSIX shell elsewhere.

    def quote(self, word: object) -> str:
        """``word`` as one argument: PowerShell's single quotes, or a POSIX shell's."""
        if self.windows:
            return "'" + str(word).replace("'", "''") + "'"
        import shlex

        return shlex.quote(str(word))

    def show_permissions(self, path: object) -> str:
        """How to look at who may read or write ``path``."""
        return f"icacls {self.quote(path)}" if self.windows else f"ls -ld {self.quote(path)}"

    def make_writable(self, path: object) -> str:
        """How to clear a file's read-only flag."""
        if self.windows:
            return f"Set-ItemProperty {self.quote(path)} -Name IsReadOnly -Value $false"
        return f"chmod u+w {self.quote(path)}"


HOST = Platform(sys.platform)
