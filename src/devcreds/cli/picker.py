"""A pick list you type into: the role of ``configure sso``, the profile of ``login``.

On a terminal that can do it, a prompt_toolkit list drawn on stderr below the cursor:
typing narrows it (every word must be in the row, any case), ↑/↓ and PgUp/PgDn move,
Enter picks, Esc or Ctrl-C cancels. Only a window of rows is drawn, with a count
("2/600"), so a thousand roles cost what twelve do. Elsewhere (``TERM=dumb``, stdin or
stderr not a terminal, prompt_toolkit failing to start) a numbered list on stderr and a
line read from stdin, which may be words to narrow the list before a number picks.

prompt_toolkit loads only when a list is shown: ``export`` imports the commands that use
this module, and must stay light.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, TextIO

from devcreds.errors import UsageError

if TYPE_CHECKING:
    from prompt_toolkit.application import Application

log = logging.getLogger(__name__)

WINDOW = 12  # rows drawn at most; the rest scroll into it
_COLUMN_WIDTH = 40  # a longer cell is cut: a role name may be 64 characters
_NUMBERED_SHOWN = 20  # rows the numbered list prints at once; words narrow the rest


def matching(rows: Sequence[Sequence[str]], query: str) -> list[int]:
    """The indices of the rows that hold every word of ``query``, ignoring case.

    A word matches within one cell, so ``prod dev`` finds a role Developer in account prod
    but ``devdeveloper`` finds nothing."""
    return _matching([_searched(row) for row in rows], query)


def _searched(row: Sequence[str]) -> str:
    # Cells joined by a newline, which no word of a query holds.
    return "\n".join(row).casefold()


def _matching(texts: Sequence[str], query: str) -> list[int]:
    words = query.casefold().split()
    return [index for index, text in enumerate(texts) if all(word in text for word in words)]


def aligned(rows: Sequence[Sequence[str]]) -> list[str]:
    """Each row as one line, its cells in columns (a cell longer than 40 is cut)."""
    widths = [
        min(_COLUMN_WIDTH, max((len(row[c]) for row in rows if c < len(row)), default=0))
        for c in range(max((len(row) for row in rows), default=0))
    ]
    return [
        "  ".join(
            _cut(cell, width).ljust(width) for cell, width in zip(row, widths, strict=False)
        ).rstrip()
        for row in rows
    ]


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


class ListView:
    """What the list shows: the rows matching the query, the one under the cursor, and the
    window of ``height`` rows around it. Pure state, driven by the key bindings."""

    def __init__(self, rows: Sequence[Sequence[str]], height: int = WINDOW) -> None:
        self.rows = rows
        self.height = height
        self._texts = [_searched(row) for row in rows]  # once, not at every key
        self.shown = list(range(len(rows)))
        self.cursor = 0  # position in ``shown``
        self.top = 0  # position in ``shown`` of the window's first row

    def narrow(self, query: str) -> None:
        self.shown = _matching(self._texts, query)
        self.cursor = self.top = 0

    def move(self, by: int) -> None:
        if not self.shown:
            return
        self.cursor = min(max(self.cursor + by, 0), len(self.shown) - 1)
        if self.cursor < self.top:
            self.top = self.cursor
        elif self.cursor >= self.top + self.height:
            self.top = self.cursor - self.height + 1

    @property
    def window(self) -> list[int]:
        """The row indices to draw, top to bottom."""
        return self.shown[self.top : self.top + self.height]

    @property
    def picked(self) -> int | None:
        return self.shown[self.cursor] if self.shown else None

    @property
    def count(self) -> str:
        return f"{len(self.shown)}/{len(self.rows)}"


def pick(
    noun: str,
    rows: Sequence[Sequence[str]],
    *,
    hint: str,
    environ: Mapping[str, str],
    stdin: TextIO | None = None,
    stderr: TextIO | None = None,
) -> int:
    """The index of the row a person picks; a ``UsageError`` with ``hint`` (how to do
    without the list) if they cancel. ``noun`` names a row: "role", "profile"."""
    if not rows:
        raise ValueError("nothing to pick from")
    stdin = stdin or sys.stdin
    stderr = stderr or sys.stderr
    lines = aligned(rows)
    if len(rows) == 1:  # as the AWS CLI does with a single account or role
        stderr.write(f"The only {noun}: {lines[0]}\n")
        return 0
    index: int | None
    try:
        if not _can_draw(environ, stdin, stderr):
            raise _CannotDraw
        index = _drawn(noun, rows, lines, stdin, stderr)
    except _CannotDraw:
        index = _numbered(noun, rows, lines, stdin.readline, stderr)
    if index is None:
        raise UsageError(f"no {noun} picked", hint=hint)
    stderr.write(f"{noun.capitalize()}: {lines[index]}\n")
    return index


def _can_draw(environ: Mapping[str, str], stdin: TextIO, stderr: TextIO) -> bool:
    return environ.get("TERM") != "dumb" and stdin.isatty() and stderr.isatty()


class _CannotDraw(Exception):
    """prompt_toolkit could not take the terminal; the numbered list needs none of it."""


def _drawn(
    noun: str, rows: Sequence[Sequence[str]], lines: Sequence[str], stdin: TextIO, stderr: TextIO
) -> int | None:
    """The prompt_toolkit list; None if cancelled."""
    try:
        app = _application(noun, rows, lines, stdin, stderr)
        result: int | None = app.run(handle_sigint=True)
    except Exception as exc:
        # Whatever keeps prompt_toolkit from the terminal (termios refusing, no console
        # buffer on Windows, an event loop already running) is no reason to fail the pick.
        log.debug("the pick list could not be drawn (%s): numbered instead", exc)
        raise _CannotDraw from exc
    return result


def _application(
    noun: str, rows: Sequence[Sequence[str]], lines: Sequence[str], stdin: TextIO, stderr: TextIO
) -> Application[int | None]:
    from prompt_toolkit.application import Application
    from prompt_toolkit.buffer import Buffer
    from prompt_toolkit.formatted_text import StyleAndTextTuples
    from prompt_toolkit.input import create_input
    from prompt_toolkit.key_binding import KeyBindings, KeyPressEvent, merge_key_bindings
    from prompt_toolkit.key_binding.bindings.basic import load_basic_bindings
    from prompt_toolkit.keys import Keys
    from prompt_toolkit.layout import HSplit, Layout, VSplit, Window
    from prompt_toolkit.layout.controls import BufferControl, FormattedTextControl
    from prompt_toolkit.output import create_output
    from prompt_toolkit.output.vt100 import Vt100_Output
    from prompt_toolkit.styles import Style

    output = create_output(stdout=stderr)
    if isinstance(output, Vt100_Output):
        # The list has a fixed height, so the rows below the cursor (a CPR query) change
        # nothing; a terminal that never answers one would get a warning after a wait.
        output.enable_cpr = False
    size = output.get_size()
    # Header, filter and count lines, and one left for the cursor when the list ends.
    view = ListView(rows, max(1, min(WINDOW, len(rows), size.rows - 4)))
    query = Buffer(multiline=False, on_text_changed=lambda buffer: view.narrow(buffer.text))

    def listed() -> StyleAndTextTuples:
        if not view.shown:
            return [("class:dim", f"  no {noun} matches; Backspace to widen")]
        text: StyleAndTextTuples = []
        for position, index in enumerate(view.window, start=view.top):
            if text:
                text.append(("", "\n"))
            if position == view.cursor:
                text.append(("class:picked", f"> {lines[index]}"))
            else:
                text.append(("", f"  {lines[index]}"))
        return text

    keys = KeyBindings()

    def moving(by: Callable[[], int]) -> Callable[[KeyPressEvent], None]:
        def handler(event: KeyPressEvent) -> None:
            view.move(by())

        return handler

    for key in ("up", "c-p"):
        keys.add(key)(moving(lambda: -1))
    for key in ("down", "c-n"):
        keys.add(key)(moving(lambda: 1))
    keys.add("pageup")(moving(lambda: -view.height))
    keys.add("pagedown")(moving(lambda: view.height))

    @keys.add("enter")
    def _enter(event: KeyPressEvent) -> None:
        if view.picked is not None:
            event.app.exit(result=view.picked)

    # eager: Esc alone cancels at once, not after waiting for an Esc-prefixed key.
    @keys.add("escape", eager=True)
    @keys.add("c-c")
    @keys.add(Keys.SIGINT)
    def _cancel(event: KeyPressEvent) -> None:
        event.app.exit(result=None)

    layout = HSplit(
        [
            Window(
                FormattedTextControl(
                    f"Pick a {noun}: type to narrow, ↑↓ PgUp PgDn to move, "
                    "Enter to pick, Esc to cancel"
                ),
                height=1,
                style="class:dim",
            ),
            VSplit(
                [
                    Window(FormattedTextControl("> "), width=2),
                    Window(BufferControl(query), height=1),
                ]
            ),
            Window(FormattedTextControl(lambda: f"  {view.count}"), height=1, style="class:dim"),
            Window(FormattedTextControl(listed), height=view.height),
        ]
    )
    return Application(
        layout=Layout(layout, focused_element=query),
        key_bindings=merge_key_bindings([load_basic_bindings(), keys]),
        style=Style.from_dict({"dim": "#888888", "picked": "reverse"}),
        input=create_input(stdin),
        output=output,
        full_screen=False,
        erase_when_done=True,
    )


def _numbered(
    noun: str,
    rows: Sequence[Sequence[str]],
    lines: Sequence[str],
    read_line: Callable[[], str],
    out: TextIO,
) -> int | None:
    """The numbered list: a number picks from the rows shown, words narrow them; None at
    the end of input."""
    shown = list(range(len(rows)))
    _print_numbered(noun, lines, shown, len(rows), out)
    while True:
        out.write(f"{noun.capitalize()} number, or words to narrow the list: ")
        out.flush()
        answer = read_line()
        if not answer:  # end of input (Ctrl-D)
            out.write("\n")
            return None
        answer = answer.strip()
        if answer.isdecimal() and 1 <= int(answer) <= len(shown):
            return shown[int(answer) - 1]
        if not answer or answer.isdecimal():
            out.write(f"A number from 1 to {len(shown)}, please.\n")
            continue
        narrowed = matching(rows, answer)
        if not narrowed:
            out.write(f"No {noun} matches {answer!r}.\n")
            continue
        shown = narrowed
        _print_numbered(noun, lines, shown, len(rows), out)


def _print_numbered(
    noun: str, lines: Sequence[str], shown: Sequence[int], total: int, out: TextIO
) -> None:
    width = len(str(len(shown)))
    for number, index in enumerate(shown[:_NUMBERED_SHOWN], start=1):
        out.write(f"{number:>{width}}  {lines[index]}\n")
    rest = len(shown) - _NUMBERED_SHOWN
    if rest > 0:
        out.write(f"… and {rest} more ({len(shown)}/{total}): type words to narrow the list\n")
    elif len(shown) < total:
        out.write(f"({len(shown)}/{total})\n")
