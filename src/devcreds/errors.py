"""The one error tree of devcreds.

Every error a user can cause or meet is a ``DevcredsError``: it carries a
one-line message, a hint naming the command that fixes it, and the exit code
the CLI returns. The CLI catches the root once and prints ``error:`` and
``hint:`` lines; below the CLI nothing prints or exits.

    DevcredsError
    ├── UsageError          exit 2  bad arguments, bad or inconsistent config
    │   └── Ambiguous               two SSO sessions could answer; the user must pick
    ├── LoginRequired       exit 3  no usable SSO token; a login is needed
    ├── AwsRefused          exit 4  AWS (or the emulator) refused the request
    │   ├── RegistrationRejected    the cached client registration is no longer known
    │   ├── Throttled               too many requests (429 / TooManyRequestsException)
    │   └── ServerFault             the service failed (500 InternalServerException)
    ├── NetworkError        exit 5  could not reach an endpoint, or listen on a port
    ├── FileError           exit 6  a file or sink could not be read or written
    │   └── Refusal                 devcreds will not write it (a git-tracked file)
    └── CommandFailed               exec's command could not be started, as shells say it
        ├── CommandNotFound     exit 127
        └── CommandNotRunnable  exit 126

Messages name files, profiles and sessions, never a token or a key.
"""

from __future__ import annotations


class DevcredsError(Exception):
    """Root of every expected devcreds failure."""

    exit_code = 1

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class UsageError(DevcredsError):
    """Bad arguments or configuration; the user must change what they asked for."""

    exit_code = 2


class Ambiguous(UsageError):
    """More than one of the user's SSO sessions could answer (serve: 409 Conflict)."""


class LoginRequired(DevcredsError):
    """No usable SSO session; only a (browser or device) login can help."""

    exit_code = 3


class AwsRefused(DevcredsError):
    """The service answered, and the answer was no."""

    exit_code = 4


class RegistrationRejected(AwsRefused):
    """IAM Identity Center no longer knows the cached client (the instance was recreated,
    or the emulator restarted); registering again is the cure, which the login does itself."""


class Throttled(AwsRefused):
    """The service said "too many requests": worth retrying later, at a lower rate."""


class ServerFault(AwsRefused):
    """The service failed on its side (a 500): worth retrying."""


class NetworkError(DevcredsError):
    """An endpoint could not be reached, or a local port could not be opened."""

    exit_code = 5


class FileError(DevcredsError):
    """A file, cache or sink could not be read or written."""

    exit_code = 6


class Refusal(FileError):
    """devcreds will not write the file, by its own rule (secrets into a file git tracks):
    no retry can help, only the user's choice (``--allow-tracked``) or a change to the file."""


class CommandFailed(DevcredsError):
    """``exec`` could not start its command; the exit codes are the shells' own."""


class CommandNotFound(CommandFailed):
    exit_code = 127


class CommandNotRunnable(CommandFailed):
    """Found, but not executable (or not a program)."""

    exit_code = 126
