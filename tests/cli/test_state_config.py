"""An AWS config file botocore cannot parse: every command exits 2 naming the file and line."""

from __future__ import annotations

import pytest

COMMANDS = [
    ("export", "--profile", "dev"),
    ("roles",),
    ("write", "credentials", "--profile", "dev"),
    ("logout", "--profile", "dev"),
]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
@pytest.mark.parametrize(
    ("prefix", "line"),
    [("[dev\n", 1), ("\ufeff", 1), ("junk\n", 1)],
    ids=["unclosed", "bom", "junk"],
)
def test_unparsable_config_is_exit_2_in_every_command(logged_in, command, prefix, line):
    """No traceback: one error naming the file and the line, the hint to fix it by hand."""
    config = logged_in.config
    config.write_text(prefix + config.read_text(), encoding="utf-8")
    before = config.read_bytes()
    completed = logged_in.run(*command)
    assert completed.returncode == 2, completed.stderr
    assert "Traceback" not in completed.stderr
    error, hint = completed.stderr.splitlines()[:2]
    assert error.startswith(f"error: cannot parse AWS config file {config}, line {line}: ")
    assert hint == f"hint: fix the file by hand; botocore and the AWS CLI reject it too: {config}"
    assert config.read_bytes() == before
