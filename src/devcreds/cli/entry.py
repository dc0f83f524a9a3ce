"""Console-script entry point, kept tiny: the CLI framework loads only when needed."""

from __future__ import annotations

import sys


def main() -> None:
    from devcreds.cli.app import run

    sys.exit(run(sys.argv[1:]))
