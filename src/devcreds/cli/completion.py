"""``devcreds completion SHELL``: the shell's completion script, to source or install.

The scripts are ours. Typer answers completions (``_DEVCREDS_COMPLETE=complete_SHELL``, see
``SCRIPTS``), but no public Typer or click API gives the script for a shell other than the
current one (``--show-completion`` detects it), and click's public scripts speak click's
instructions (``bash_complete``), which Typer's completion does not answer. Typer's own
PowerShell script also rebinds Tab for every command (``Set-PSReadLineKeyHandler``); ours
registers a completer for devcreds and changes nothing else.
"""

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


# Each asks devcreds with Typer's completion protocol, as Typer's own scripts do:
# bash: COMP_WORDS and COMP_CWORD, one value a line.
# zsh: _TYPER_COMPLETE_ARGS (the words up to the cursor), a zsh `_arguments` line to eval.
# fish: _TYPER_COMPLETE_ARGS and _TYPER_COMPLETE_FISH_ACTION, "value<TAB>help" lines.
# PowerShell: _TYPER_COMPLETE_ARGS (POSIX-quoted words; the last one is dropped when
#   _TYPER_COMPLETE_WORD_TO_COMPLETE is set), "value:::help" lines.
BASH = r"""
_devcreds_completion() {
    local IFS=$'\n'
    COMPREPLY=( $( env COMP_WORDS="${COMP_WORDS[*]}" \
                   COMP_CWORD=$COMP_CWORD \
                   _DEVCREDS_COMPLETE=complete_bash $1 ) )
    return 0
}

complete -o default -F _devcreds_completion devcreds
"""

ZSH = r"""
#compdef devcreds

_devcreds_completion() {
  eval $(env _TYPER_COMPLETE_ARGS="${words[1,$CURRENT]}" _DEVCREDS_COMPLETE=complete_zsh devcreds)
}

compdef _devcreds_completion devcreds
"""

FISH = (
    "complete --command devcreds --no-files"
    ' --arguments "(env _DEVCREDS_COMPLETE=complete_fish _TYPER_COMPLETE_FISH_ACTION=get-args'
    ' _TYPER_COMPLETE_ARGS=(commandline -cp) devcreds)"'
    ' --condition "env _DEVCREDS_COMPLETE=complete_fish _TYPER_COMPLETE_FISH_ACTION=is-args'
    ' _TYPER_COMPLETE_ARGS=(commandline -cp) devcreds"'
)

POWERSHELL = r"""
# Tab completion for devcreds: commands, options, profiles, SSO sessions and formats.
# Registers a completer for devcreds alone; key bindings stay as they are.
Register-ArgumentCompleter -Native -CommandName devcreds, devcreds.exe -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)
    # The word as typed may start with its quote: devcreds wants the text inside.
    $word = "$wordToComplete"
    if ($word.Length -gt 0 -and ($word[0] -eq "'" -or $word[0] -eq '"')) {
        $quote = $word[0]
        $word = $word.Substring(1).TrimEnd($quote)
    }
    # The words before the cursor, each quoted the POSIX way devcreds splits them.
    $words = foreach ($element in $commandAst.CommandElements) {
        if ($element.Extent.EndOffset -ge $cursorPosition) { continue }
        $text = $element.Extent.Text
        if ($element -is [System.Management.Automation.Language.StringConstantExpressionAst]) {
            $text = $element.Value
        }
        "'" + $text.Replace("'", "'\''") + "'"
    }
    if ($word) { $words = @($words) + ("'" + $word.Replace("'", "'\''") + "'") }
    $names = '_DEVCREDS_COMPLETE', '_TYPER_COMPLETE_ARGS', '_TYPER_COMPLETE_WORD_TO_COMPLETE'
    $saved = @{}
    foreach ($name in $names) { $saved[$name] = [Environment]::GetEnvironmentVariable($name) }
    try {
        $Env:_DEVCREDS_COMPLETE = 'complete_powershell'
        $Env:_TYPER_COMPLETE_ARGS = @($words) -join ' '
        $Env:_TYPER_COMPLETE_WORD_TO_COMPLETE = $word
        $lines = devcreds 2>$null
    } finally {
        # Back as they were: removed, or the value they had.
        foreach ($name in $names) { [Environment]::SetEnvironmentVariable($name, $saved[$name]) }
    }
    foreach ($line in $lines) {
        # "value:::help"; a line without ::: continues the help above it.
        $value, $help = "$line" -split ':::', 2
        if ($null -eq $help -or -not $value) { continue }
        $help = $help.Trim()
        if (-not $help) { $help = $value }
        $text = $value
        if ($value -match '[\s''"`$&|;,(){}<>@#]') { $text = "'" + $value.Replace("'", "''") + "'" }
        $type = 'ParameterValue'
        if ($value.StartsWith('-')) { $type = 'ParameterName' }
        [System.Management.Automation.CompletionResult]::new($text, $value, $type, $help)
    }
}
"""

SCRIPTS = {
    Shell.bash: BASH,
    Shell.zsh: ZSH,
    Shell.fish: FISH,
    Shell.powershell: POWERSHELL,
    Shell.pwsh: POWERSHELL,
}


def completion(
    shell: Annotated[Shell, typer.Argument(metavar="SHELL", help="bash, zsh, fish or powershell.")],
) -> None:
    """Print the completion script for SHELL: commands, options, profile names, SSO sessions
    and export formats complete with Tab.

    Examples:

    \b
      echo 'eval "$(devcreds completion bash)"' >> ~/.bashrc     # zsh: the same, ~/.zshrc
      devcreds completion fish > ~/.config/fish/completions/devcreds.fish
      devcreds completion powershell | Out-String | Invoke-Expression     # this window
      Add-Content $PROFILE 'devcreds completion powershell | Out-String | Invoke-Expression'

    The PowerShell script registers a completer for devcreds alone: key bindings stay.
    """
    sys.stdout.write(SCRIPTS[shell].strip("\n") + "\n")
