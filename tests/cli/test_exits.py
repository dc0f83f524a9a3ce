"""The shell's exit conventions: Ctrl-C is 130, a closed pipe is quiet, a full disk is one line."""

from __future__ import annotations

import dataclasses
import os
import signal
import subprocess
import sys

from tests.support import wait_for


def test_ctrl_c_during_export_is_130_without_a_traceback(make_cli):
    """SIGINT while export waits on the network: exit 130, no traceback, no partial output."""
    cli = make_cli()
    cli.configure()
    cli.ok("login", "--profile", "dev", "--use-device-code", "--no-browser")
    emulator = cli.emu.emulator
    emulator.config = dataclasses.replace(emulator.config, latency_ms=5000)  # from now on
    process = cli.popen("export", "--profile", "dev")
    wait_for(lambda: cli.emu.calls("GetRoleCredentials") == 1, "the role credential call")
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=30)
    assert process.returncode == 130
    assert (out, "Traceback" in err) == ("", False)


def test_a_closed_pipe_ends_export_quietly(logged_in):
    """The reader of stdout went away: exit 141 and nothing on stderr."""
    logged_in.export()  # cached: the fast path answers
    read, write = os.pipe()
    os.close(read)
    completed = subprocess.run(
        [sys.executable, "-m", "devcreds", "export", "--profile", "dev"],
        env=logged_in.env,
        stdout=write,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        timeout=60,
        check=False,
    )
    os.close(write)
    assert (completed.returncode, completed.stderr) == (141, "")


def test_a_full_disk_on_stdout_is_one_error_line(logged_in):
    """stdout on /dev/full: exit 6 and one error line, for the full CLI as for the fast path."""
    for args in (("export", "--profile", "dev"), ("status", "--json")):
        with open("/dev/full", "w") as full:  # noqa: PTH123 - a device, not a path we edit
            completed = subprocess.run(
                [sys.executable, "-m", "devcreds", *args],
                env=logged_in.env,
                stdout=full,
                stderr=subprocess.PIPE,
                stdin=subprocess.DEVNULL,
                text=True,
                timeout=60,
                check=False,
            )
        assert completed.returncode == 6, (args, completed.stderr)
        assert (
            completed.stderr == "error: cannot write to standard output: No space left on device\n"
        )


def test_help_shows_braces_and_line_breaks_as_written(cli):
    """--help prints the template fields and the examples' lines as they are written."""
    out = cli.ok("configure", "populate", "--help")
    assert "{account_id}, {account_name}, {role_name}" in " ".join(out.split())
    examples = cli.ok("configure", "sso", "--help")
    assert "--sso-region us-east-1 \\\n" in examples  # one example line, not rewrapped
