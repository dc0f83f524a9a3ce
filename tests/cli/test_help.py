"""Help and usage errors as an AWS CLI user expects them: -h, -p, --profile before the
command, commands in the order a user meets them, examples, human metavars, and usage
errors as error:/hint: lines with exit 2 and a "did you mean"."""

from __future__ import annotations

import re

import pytest
import typer.main
from typer.rich_utils import rich_render_text

from devcreds.cli.app import ORDER, app

TREE = typer.main.get_command(app)


def _commands(command=TREE, path=("devcreds",), parent=None):
    """Every command of the tree with its context, groups included."""
    ctx = command.context_class(command, info_name=path[-1], parent=parent)
    yield " ".join(path), command, ctx
    for name, sub in getattr(command, "commands", {}).items():
        yield from _commands(sub, (*path, name), ctx)


def _texts():
    for path, command, _ in _commands():
        yield path, command.help or ""
        for param in command.params:
            yield f"{path} {param.name}", getattr(param, "help", None) or ""


def _words(text: str) -> str:
    return " ".join(text.replace("\b", "").split())


def test_no_help_text_loses_words_to_markup():
    """zsh, fish and PowerShell completion show help through rich's markup renderer, which
    swallows anything that looks like a tag ("[sso-session]", "[dev]")."""
    swallowed = [
        where for where, text in _texts() if _words(rich_render_text(text)) != _words(text)
    ]
    assert swallowed == []


def test_every_command_has_an_example():
    leaves = [(path, cmd) for path, cmd, _ in _commands() if not hasattr(cmd, "commands")]
    assert [path for path, cmd in leaves if "Example" not in (cmd.help or "")] == []


def test_options_show_human_metavars_not_python_types():
    offenders = []
    for path, command, ctx in _commands():
        for line in command.get_help(ctx).splitlines():
            if line.strip().startswith("-") and re.search(r"<[a-z][^>]*>", line):
                offenders.append(f"{path}: {line.strip()}")
    assert offenders == []


def test_help_lists_commands_in_the_order_a_user_meets_them(cli):
    help_text = cli.ok("-h")
    listed = re.findall(r"^  (\w+)  ", help_text.split("Commands:")[1], re.MULTILINE)
    assert listed[:4] == ["configure", "login", "export", "exec"]
    assert listed == [name for name in ORDER if name in listed]
    assert "-p, --profile PROFILE" in cli.ok("export", "-h")


def test_profile_before_the_command_is_the_commands_profile(logged_in):
    before = logged_in.ok("--profile", "dev", "export", "--format", "json")
    short = logged_in.ok("-p", "dev", "export", "--format", "json")
    assert '"AccessKeyId": "ASIA' in before
    assert before == short
    other = logged_in.run("--profile", "nope", "export", "--profile", "dev")
    assert other.returncode == 0, other.stderr  # the command's own --profile wins


@pytest.mark.parametrize(
    ("args", "error", "hint"),
    [
        (["export", "--profle", "dev"], "error: no such option: --profle",
         "hint: did you mean --profile? (devcreds export --help)"),
        (["expor"], "error: No such command 'expor'.",
         "hint: did you mean 'export'? (devcreds --help)"),
        (["write", "dotenv"], "error: Missing argument 'FILE'.",
         "hint: devcreds write dotenv --help"),
        (["login", "--callback-port", "x"], "error: Invalid value for '--callback-port': Input should be a valid integer, unable to parse string as an integer",
         "hint: devcreds login --help"),
    ],
)  # fmt: skip
def test_usage_errors_are_two_lines_and_exit_2(cli, args, error, hint):
    completed = cli.run(*args)
    assert completed.returncode == 2
    assert completed.stderr.splitlines() == [error, hint]
    assert completed.stdout == ""
