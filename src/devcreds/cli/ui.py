"""What a person sees while logging in (the code to confirm, a countdown, the browser) and
while roles are listed."""

from __future__ import annotations

import webbrowser

from rich.live import Live
from rich.text import Text

from devcreds.cli import render
from devcreds.listing import Progress
from devcreds.sso.oidc import DeviceAuthorization


def qr_code(url: str) -> str:
    """The URL as a QR code in half-block characters (two rows of modules per line)."""
    import io

    import segno  # only a device login on a terminal needs it

    text = io.StringIO()
    segno.make(url, error="l").terminal(out=text, compact=True, border=2)
    return text.getvalue()


class _Countdown:
    """A live "… 4:59 left" line on a terminal, under what a login screen printed."""

    waiting_for = "approval"

    def __init__(self) -> None:
        self._live: Live | None = None

    def _start(self) -> None:
        if render.stderr.is_terminal:
            self._live = Live(Text(""), console=render.stderr, transient=True, auto_refresh=False)
            self._live.start()

    def waiting(self, seconds_left: float) -> None:
        if self._live is not None:
            minutes, seconds = divmod(int(seconds_left), 60)
            self._live.update(Text(f"waiting for {self.waiting_for}… {minutes}:{seconds:02d} left"))
            self._live.refresh()

    def close(self) -> None:
        if self._live is not None:
            self._live.stop()
            self._live = None


class DeviceLoginScreen(_Countdown):
    """Shows the verification URL and user code on stderr; a live countdown on a terminal."""

    def show_code(self, device: DeviceAuthorization, browser_opened: bool) -> None:
        out = render.stderr
        if browser_opened:
            out.print("A browser window should have opened to approve this login.")
        out.print("To approve it yourself, open:")
        out.print(f"  {device.verification_uri_complete}", markup=False)
        if out.is_terminal and not browser_opened:
            qr = qr_code(device.verification_uri_complete)
            if max(map(len, qr.splitlines())) <= out.width:  # a QR code cut in two is noise
                out.print("or scan it with a phone:")
                out.print(qr, markup=False, highlight=False, end="")
        out.print(f"and confirm the code: [bold]{device.user_code}[/]")
        self._start()


class ListingScreen:
    """One live line on a terminal while accounts and roles are listed; nothing elsewhere.
    ``update`` is called from the listing's threads (rich's Live takes its own lock)."""

    def __init__(self) -> None:
        self._live: Live | None = None

    def __enter__(self) -> ListingScreen:
        if render.stderr.is_terminal:
            self._live = Live(
                Text("listing accounts…"),
                console=render.stderr,
                transient=True,
                refresh_per_second=8,
            )
            self._live.start()
        return self

    def update(self, progress: Progress) -> None:
        if self._live is None:
            return
        if progress.accounts_total is None:
            text = f"listing accounts… roles of {progress.accounts_done} listed"
        else:
            text = f"listing roles: {progress.accounts_done}/{progress.accounts_total} accounts"
        text += f", {progress.calls} calls"
        if progress.retries:
            text += f", {progress.retries} retries"
        self._live.update(Text(text))

    def __exit__(self, *_: object) -> None:
        if self._live is not None:
            self._live.stop()
            self._live = None


class BrowserLoginScreen(_Countdown):
    """Says where the redirect is awaited and, without a browser, which URL to open; a live
    countdown on a terminal. The URL is printed only when no browser was opened (it
    carries the login's state)."""

    waiting_for = "the sign-in"

    def listening(self, redirect_uri: str) -> None:
        render.stderr.print(f"Waiting for the sign-in at {redirect_uri}", markup=False)

    def show_url(self, url: str, browser_opened: bool) -> None:
        out = render.stderr
        if browser_opened:
            out.print(
                "A browser window should have opened to sign in. If none did, run the login "
                "again with --no-browser for the link, or with --use-device-code."
            )
        else:
            out.print(
                "Open this link in a browser on this machine (or on one whose port forwarding, "
                "ssh -L, reaches the address above):"
            )
            out.print(f"  {url}", markup=False, soft_wrap=True)
        self._start()


def browser_found() -> bool:
    """Python's webbrowser knows a browser to start (a BROWSER variable counts as one)."""
    try:
        webbrowser.get()
    except webbrowser.Error:
        return False
    return True


def open_browser(url: str) -> bool:
    """Open ``url`` in the user's browser (BROWSER is honoured); False if none could start."""
    try:
        return webbrowser.open(url)
    except webbrowser.Error:
        return False
