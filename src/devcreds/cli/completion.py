"""``devcreds completion SHELL``: the shell's completion script, to source or install."""

from __future__ import annotations

import sys
from enum import StrEnum
from typing import Annotated

import typer


class Shell(StrEnum):
    bash = "bash"
    zsh = "zsh"
    fish = "fish"
    powershell = "powershell"
    pwsh = "pwsh"


def completion(
    shell: Annotated[Shell, typer.Argument(metavar="SHELL", help="bash, zsh, fish or powershell.")],
) -> None:
    """Print the completion script for SHELL: commands, options, profile names, SSO sessions
    and export formats complete with Tab.

    Examples:

    \b
      echo 'eval "$(devcreds completion bash)"' >> ~/.bashrc     # zsh: the same, ~/.zshrc
      devcreds completion fish > ~/.config/fish/completions/devcreds.fish
      devcreds completion powershell >> $PROFILE
    """
    # Typer's own scripts (the ones --install-completion writes), for any shell asked, not
    # only the one it detects; its public options only show the current shell's.
    from typer._completion_shared import get_completion_script

    script = get_completion_script(
        prog_name="devcreds", complete_var="_DEVCREDS_COMPLETE", shell=shell.value
    )
    sys.stdout.write(script.rstrip("\n") + "\n")
