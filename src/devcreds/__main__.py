"""``python -m devcreds`` and the ``devcreds`` console script.

Kept tiny: the cached ``export`` answers from here with the standard library
alone; the CLI framework loads only when it does not.
"""

from __future__ import annotations

import os
import sys


def main() -> None:
    from devcreds import fastpath

    if fastpath.export(sys.argv[1:], os.environ):
        try:
            sys.stdout.flush()
        except OSError:  # the reader went away: nothing to tell it
            os._exit(1)
        # Nothing is left to clean up, and tearing down the interpreter costs a
        # sixth of this whole call: leave now (measured in bench/).
        os._exit(0)
    from devcreds.cli import plain

    code = plain.export(sys.argv[1:], os.environ)
    if code is not None:
        sys.exit(code)
    from devcreds.cli.app import run

    sys.exit(run(sys.argv[1:]))


if __name__ == "__main__":
    main()
