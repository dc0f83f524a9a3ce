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
        sys.exit(0)
    from devcreds.cli.app import run

    sys.exit(run(sys.argv[1:]))


if __name__ == "__main__":
    main()
