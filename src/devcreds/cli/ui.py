"""What a person sees while logging in: the code to confirm, a countdown, the browser."""

from __future__ import annotations

import webbrowser

from rich.live import Live
from rich.text import Text

from devcreds.cli import render
from devcreds.sso.oidc import DeviceAuthorization


class DeviceLoginScreen:
    """Shows the verification URL and user code on stderr; a live countdown on a terminal."""

    def __init__(self) -> None:
        self._live: Live | None = None

    def show_code(self, device: DeviceAuthorization, browser_opened: bool) -> None:
        out = render.stderr
        if browser_opened:
            out.print("A browser window should have opened to approve this login.")
        out.print("To approve it yourself, open:")
        out.print(f"  {device.verification_uri_complete}", markup=False)
        out.print(f"and confirm the code: [bold]{device.user_code}[/]")
        if out.is_terminal:
            self._live = Live(Text(""), console=out, transient=True, auto_refresh=False)
            self._live.start()

    def waiting(self, seconds_left: float) -> None:
        if self._live is not None:
            minutes, seconds = divmod(int(seconds_left), 60)
            self._live.update(Text(f"waiting for approval… {minutes}:{seconds:02d} left"))
            self._live.refresh()

    def close(self) -> None:
        if self._live is not None:
            self._live.stop()
            self._live = None


def open_browser(url: str) -> bool:
    """Open ``url`` in the user's browser (BROWSER is honoured); False if none could start."""
    try:
        return webbrowser.open(url)
    except webbrowser.Error:
        return False
