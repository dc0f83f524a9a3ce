"""The pick list of ``configure sso`` and ``login``: type to narrow, arrows to move, Enter to
pick, Esc to cancel, on stderr only; a numbered prompt where the terminal cannot draw it."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
import textwrap
import time

import pexpect
import pytest
from botocore.configloader import load_config

from devcreds.cli.picker import ListView, aligned, matching
from tests.support import START_URL

ROWS = [
    ("111111111111", "dev", "Developer"),
    ("111111111111", "dev", "ReadOnly"),
    ("333333333333", "prod", "Developer"),
    ("333333333333", "prod", "ReadOnly"),
]
DOWN, ENTER, ESC = "\x1b[B", "\r", "\x1b"
_ANSI = re.compile(r"\x1b\[[?\d;]*[A-Za-z]")  # rich's bold stays under NO_COLOR


def test_every_word_of_the_query_must_match_in_any_case():
    """Words narrow one after another, whatever their case and order."""
    assert matching(ROWS, "") == [0, 1, 2, 3]
    assert matching(ROWS, "PROD") == [2, 3]
    assert matching(ROWS, "read prod") == [3]
    assert matching(ROWS, "  3333  dev ") == [2]  # Developer in account 333333333333
    assert matching(ROWS, "staging") == []


def test_a_word_matches_within_one_cell():
    """A word never spans two cells: "devdeveloper" is in no cell."""
    assert matching(ROWS, "devdeveloper") == []
    assert matching(ROWS, "1dev") == []


def test_the_window_follows_the_cursor_and_stops_at_the_ends():
    """Moving past the window scrolls it by as much; paging stops at the first and last row."""
    view = ListView([(str(n),) for n in range(100)], height=10)
    view.move(12)
    assert (view.picked, view.window[0], view.window[-1]) == (12, 3, 12)
    view.move(-1000)
    assert (view.picked, view.top) == (0, 0)
    view.move(1000)
    assert (view.picked, view.window[-1], view.count) == (99, 99, "100/100")


def test_narrowing_starts_again_at_the_first_match():
    """A new query puts the cursor on its first row; with no match nothing can be picked."""
    view = ListView(ROWS, height=10)
    view.move(3)
    view.narrow("prod")
    assert (view.picked, view.count) == (2, "2/4")
    view.narrow("nothing")
    assert (view.picked, view.window, view.count) == (None, [], "0/4")


def test_rows_are_drawn_in_columns():
    """Cells line up under each other; a trailing empty cell leaves no blanks."""
    assert aligned([("a", "bb", ""), ("ccc", "d", "")]) == ["a    bb", "ccc  d"]


class Screen:
    """Just enough of a VT100 to read what prompt_toolkit drew: it rewrites only the cells
    that change, so its raw output is no text to search."""

    _TOKEN = re.compile(r"\x1b\[([?\d;]*)([A-Za-z])|\x1b.|([\r\n\b])|([^\x1b\r\n\b]+)", re.S)

    def __init__(self, rows: int = 40, columns: int = 120) -> None:
        self.rows, self.columns = rows, columns
        self.cells = [[" "] * columns for _ in range(rows)]
        self.y = self.x = 0

    def feed(self, text: str) -> None:
        for match in self._TOKEN.finditer(text):
            params, command, control, printable = match.groups()
            if command:
                self._csi(params, command)
            elif control == "\r":
                self.x = 0
            elif control == "\n":
                self._line_feed()
            elif control == "\b":
                self.x = max(0, self.x - 1)
            elif printable:
                for char in printable:
                    if self.x < self.columns:
                        self.cells[self.y][self.x] = char
                    self.x += 1

    def _csi(self, params: str, command: str) -> None:
        if params.startswith("?") or command in "mhl":
            return  # modes and colours: nothing on the screen
        n = int(params.split(";")[0] or 1)
        if command == "A":
            self.y = max(0, self.y - n)
        elif command == "B":
            self.y = min(self.rows - 1, self.y + n)
        elif command == "C":
            self.x = min(self.columns - 1, self.x + n)
        elif command == "D":
            self.x = max(0, self.x - n)
        elif command == "K":
            self.cells[self.y][self.x :] = [" "] * (self.columns - self.x)
        elif command == "J":
            self.cells[self.y][self.x :] = [" "] * (self.columns - self.x)
            for row in self.cells[self.y + 1 :]:
                row[:] = [" "] * self.columns

    def _line_feed(self) -> None:
        if self.y == self.rows - 1:
            self.cells = [*self.cells[1:], [" "] * self.columns]
        else:
            self.y += 1

    @property
    def text(self) -> str:
        return "\n".join("".join(row).rstrip() for row in self.cells).strip("\n")


def _until(child: pexpect.spawn, screen: Screen, wanted: str, timeout: float = 20) -> str:
    """Feed the screen what the child writes until it shows ``wanted`` and then writes nothing
    for a moment (a drawing may arrive in several reads); the screen's text."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            screen.feed(child.read_nonblocking(65536, timeout=0.3))
        except pexpect.TIMEOUT:
            if wanted in screen.text:
                return screen.text
        if time.monotonic() > deadline:
            raise AssertionError(f"{wanted!r} never shown; the screen:\n{screen.text}")


def _spawn(command: str, args: list[str], env: dict[str, str] | None = None) -> pexpect.spawn:
    return pexpect.spawn(command, args, env=env, encoding="utf-8", timeout=60, dimensions=(40, 120))


# A thousand and more rows, picked from with the picker alone: no emulator, no login.
_PICK = textwrap.dedent(
    """
    import os, sys
    from devcreds.cli.picker import pick
    rows = [(f"{n:012d}", f"account-{n:04d}", "Developer") for n in range(1200)]
    print(pick("role", rows, hint="give --role-name", environ=os.environ))
    """
)


@pytest.mark.posix
def test_a_thousand_rows_draw_a_window_and_stdout_gets_only_the_result(tmp_path):
    """1,200 rows: the list shows 12 of them and the count; typing narrows it, an arrow and
    Enter pick; the list is on the terminal (stderr), and stdout holds only what the
    program printed."""
    script, out = tmp_path / "pick.py", tmp_path / "stdout"
    script.write_text(_PICK)
    child = _spawn("/bin/sh", ["-c", f'exec "{sys.executable}" "{script}" > "{out}"'])
    screen = Screen()
    shown = _until(child, screen, "1200/1200")
    assert "account-0011" in shown
    assert "account-0012" not in shown  # 12 rows drawn, not 1,200
    child.send("account-10")
    shown = _until(child, screen, "100/1200")
    assert "account-0011" not in shown
    child.send(DOWN + DOWN + ENTER)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert out.read_text() == "1002\n"
    assert "Role: 000000001002  account-1002  Developer" in child.before


def _configure(cli, *extra: str, **env: str) -> pexpect.spawn:
    args = ["-m", "devcreds", "configure", "sso", "--sso-session", "corp"]
    args += ["--start-url", START_URL, "--sso-region", "us-east-1", *extra]
    return _spawn(sys.executable, args, env={**cli.env, **env})


@pytest.mark.posix
def test_configure_sso_narrows_600_roles_and_writes_the_pick(make_cli):
    """300 accounts x 2 roles: typing "prod" leaves its 2 roles; ↓ and Enter pick ReadOnly;
    the region offered is the SSO region and the profile name offered is the AWS CLI's
    ROLE-ACCOUNT; both taken with Enter land in the config file."""
    cli = make_cli(accounts=300, roles_per_account=2)
    child = _configure(cli)
    screen = Screen()
    _until(child, screen, "600/600")
    child.send("prod")
    shown = _until(child, screen, "2/600")
    assert "333333333333  prod" in shown
    assert "staging" not in shown
    child.send(DOWN + ENTER)
    child.expect(r"Default region \S*\(us-east-1\)")
    child.sendline("")
    child.expect(r"Profile name \S*\(ReadOnly-333333333333\)")
    child.sendline("")
    child.expect("Next: devcreds login --profile ReadOnly-333333333333")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert load_config(str(cli.config))["profiles"]["ReadOnly-333333333333"] == {
        "sso_session": "corp",
        "sso_account_id": "333333333333",
        "sso_role_name": "ReadOnly",
        "region": "us-east-1",
    }


@pytest.mark.posix
def test_esc_cancels_configure_sso_and_leaves_the_config_untouched(make_cli):
    """Esc in the list: exit 2, one error and its hint, no traceback, and not a byte of the
    config file changed (the [sso-session] is written only with the profile)."""
    cli = make_cli()
    cli.config.parent.mkdir(parents=True)
    cli.config.write_text("[profile other]\nregion = eu-west-1\n")
    before = cli.config.read_bytes()
    child = _configure(cli, "--profile", "dev")
    _until(child, Screen(), "6/6")
    child.send(ESC)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 2
    said = _ANSI.sub("", child.before)
    assert "error: no role picked" in said
    assert "hint: give --account-id and --role-name" in said
    assert "Traceback" not in said
    assert cli.config.read_bytes() == before


@pytest.mark.posix
def test_a_dumb_terminal_gets_a_numbered_list_narrowed_by_words(make_cli):
    """TERM=dumb: 20 numbered rows and how many more; words narrow the list, then a number
    within it picks."""
    cli = make_cli(accounts=300, roles_per_account=2)
    child = _configure(cli, "--profile", "dev", "--region", "eu-west-1", TERM="dumb")
    child.expect(r"… and 580 more \(600/600\): type words to narrow the list")
    child.expect("Role number, or words to narrow the list: ")
    child.sendline("prod")
    child.expect(r"1  333333333333  prod\s+Developer\r\n2  333333333333  prod\s+ReadOnly")
    child.expect("Role number, or words to narrow the list: ")
    child.sendline("2")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    profile = load_config(str(cli.config))["profiles"]["dev"]
    assert (profile["sso_account_id"], profile["sso_role_name"]) == ("333333333333", "ReadOnly")
    assert profile["region"] == "eu-west-1"  # given, so not asked


def test_configure_sso_without_profile_off_a_terminal_is_a_usage_error(make_cli):
    """Off a terminal nothing is asked: no --profile is exit 2 naming the AWS CLI's name."""
    cli = make_cli()
    completed = cli.run(
        "configure", "sso", "--sso-session", "corp", "--start-url", START_URL,
        "--sso-region", "us-east-1", "--account-id", "111111111111", "--role-name", "Developer",
    )  # fmt: skip
    assert completed.returncode == 2
    assert "error: --profile is needed when not on a terminal" in completed.stderr
    assert "Developer-111111111111" in completed.stderr
    assert not cli.config.exists()


def _two_sessions(make_cli):
    """Profiles dev (session corp) and ops (session other), and no [default]."""
    cli = make_cli()
    cli.config.parent.mkdir(parents=True)
    cli.config.write_text(
        "".join(
            f"[profile {profile}]\nsso_session = {session}\nsso_account_id = 111111111111\n"
            f"sso_role_name = {role}\n[sso-session {session}]\nsso_start_url = {START_URL}\n"
            "sso_region = us-east-1\nsso_registration_scopes = sso:account:access\n"
            for profile, session, role in (
                ("dev", "corp", "Developer"),
                ("ops", "other", "ReadOnly"),
            )
        )
    )
    return cli


@pytest.mark.posix
def test_login_without_a_profile_at_a_terminal_picks_one(make_cli):
    """No --profile, AWS_PROFILE or [default], at a terminal: the SSO profiles are offered,
    and the one picked is logged in (its session's token is cached, the other's is not)."""
    cli = _two_sessions(make_cli)
    child = _spawn(sys.executable, ["-m", "devcreds", "login"], env=cli.env)
    screen = Screen()
    shown = _until(child, screen, "2/2")
    assert "profile dev  111111111111  Developer  sso-session corp" in shown
    child.send("ops" + ENTER)
    child.expect("Logged in to")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    # The AWS CLI's token file: sha1 of the session name.
    cached = {path.name for path in cli.sso_cache.glob("*.json")}
    assert hashlib.sha1(b"other").hexdigest() + ".json" in cached
    assert hashlib.sha1(b"corp").hexdigest() + ".json" not in cached


def test_login_without_a_profile_off_a_terminal_is_the_usual_error(make_cli):
    """Off a terminal nothing is offered: the missing default profile, exit 2."""
    cli = _two_sessions(make_cli)
    completed = cli.run("login")
    assert completed.returncode == 2
    assert "error: profile default is not in" in completed.stderr


def test_export_never_imports_prompt_toolkit(logged_in):
    """Through the full CLI (not the fast path), export loads no prompt_toolkit: the commands
    that pick import it inside the pick."""
    completed = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "devcreds", "--debug", "export"],
        env={**logged_in.env, "AWS_PROFILE": "dev"},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    modules = {line.split("|")[-1].strip() for line in completed.stderr.splitlines() if "|" in line}
    assert "devcreds.cli.picker" in modules  # the full CLI, with the commands that pick
    assert sorted(m for m in modules if m.startswith("prompt_toolkit")) == []
    assert json.loads(completed.stdout)["AccessKeyId"].startswith("ASIA")
