"""``python -m devcreds`` and the ``devcreds`` console script.

Kept tiny: the cached ``export`` answers from here with the standard library
alone; the CLI framework loads only when it does not.

Exits the shell way whatever is running: Ctrl-C is 130 without a traceback,
a reader that went away (a closed pipe) is 141 without a word, and an
unwritable standard output (a full disk) is one error line and 6.
"""

from __future__ import annotations

# The C module under ``signal``: ``signal`` itself wraps it in enums, 1.4 ms of the cached
# export's ~25 ms (bench/), for nothing this module needs.
import _signal  # type: ignore[import-not-found]
import os
import sys

INTERRUPTED = 130  # 128 + SIGINT, as shells report it
BROKEN_PIPE = 141  # 128 + SIGPIPE
_UNWRITABLE = {28, 5, 9}  # ENOSPC, EIO, EBADF (errno's values; importing errno costs time)


class Interrupted(BaseException):
    """Ctrl-C, raised instead of KeyboardInterrupt: click turns that into "Aborted!" and 1.
    Unwinding runs every ``finally`` (locks, temporary files) on the way out."""


def _interrupted(signum: int, frame: object) -> None:
    raise Interrupted


def main() -> None:
    _signal.signal(_signal.SIGINT, _interrupted)
    try:
        code = _run()
        sys.stdout.flush()
    except Interrupted:
        _leave(INTERRUPTED)
    except BrokenPipeError:
        _leave(BROKEN_PIPE)
    except OSError as exc:
        # What a full disk or a dead terminal does to a write of standard output; anything
        # else (a named file, another errno) is a bug of ours, which must not be hidden.
        if exc.filename is not None or exc.errno not in _UNWRITABLE:
            raise
        sys.stderr.write(f"error: cannot write to standard output: {exc.strerror}\n")
        _leave(6)
    sys.exit(code)


def _run() -> int:
    from devcreds import fastpath

    if fastpath.export(sys.argv[1:], os.environ):
        try:
            sys.stdout.flush()
        except BrokenPipeError:  # the reader went away: nothing to tell it
            os._exit(BROKEN_PIPE)
        # Nothing is left to clean up, and tearing down the interpreter costs a
        # sixth of this whole call: leave now (measured in bench/).
        os._exit(0)
    from devcreds.cli import plain

    code = plain.export(sys.argv[1:], os.environ)
    if code is not None:
        return code
    from devcreds.cli.app import run

    return run(sys.argv[1:])


def _leave(code: int) -> None:
    """Exit without flushing a standard output that can no longer be written."""
    try:
        sys.stderr.flush()
    finally:
        os._exit(code)


if __name__ == "__main__":
    main()
