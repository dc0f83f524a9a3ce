"""Console-script entry point, kept tiny: the CLI framework loads only when needed."""

from __future__ import annotations

import os
import sys


def main() -> None:
    from devcreds import fastpath

    if fastpath.export(sys.argv[1:], os.environ):
        sys.exit(0)
    from devcreds.cli.app import run

    sys.exit(run(sys.argv[1:]))
