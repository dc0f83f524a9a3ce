#!/usr/bin/env python3
"""A stand-in browser for ``BROWSER``: ``python follow.py [--detach] URL``.

It GETs URL without following redirects by itself, and then, hop by hop:

- a redirect (3xx with ``Location``) is followed with a GET: the emulator's ``/authorize``
  answers one straight to the client's loopback callback under ``--auto-approve``;
- an emulator consent page (a form with ``decision`` buttons: ``/authorize`` or
  ``/device?user_code=...``) is submitted with ``decision=allow``, or ``deny`` when
  ``FOLLOW_DECISION=deny``; ``/authorize`` then answers a redirect to the callback;
- any other 2xx page ends the walk: the callback's own page, or the emulator's
  "Request approved" / "Request denied" page of the device flow.

A redirect to another origin (the client's listener) is the *callback*. With
``FOLLOW_STATE=wrong-first`` the callback is first delivered with a wrong ``state``, then
as it was; with ``FOLLOW_STATE=wrong`` only with the wrong one.

Exit 0 when the walk ends on a 2xx page; otherwise 1, with the reason on stderr. Only
loopback hosts are contacted (it is a test browser).

``FOLLOW_LOG=FILE`` appends one JSON line per step, ending with ``{"step": "end"}`` (also
after a failure): ``open`` (path), ``decision`` (allow/deny), ``callback`` (port, status,
title of the page the listener answered), ``redirect`` (port, names of the callback's
query parameters, the value of ``error``), ``done`` (ok, reason). Nothing secret is
logged: no code, no state value, no query value but ``error``.

``--detach`` (or ``FOLLOW_DETACH=1``): the command returns at once and the walk goes on in
a child process, as a real browser does. The AWS CLI needs it: it waits for the ``BROWSER``
command to exit before it serves its callback.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import ipaddress
import json
import os
import ssl
import sys
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit, urlunsplit

DECISION = "FOLLOW_DECISION"
STATE = "FOLLOW_STATE"
LOG = "FOLLOW_LOG"
DETACH = "FOLLOW_DETACH"
WRONG_STATE = "not-the-state-that-was-sent"
_MAX_STEPS = 10


class BrowserError(Exception):
    """The walk cannot go on; the message says why."""


def decision_from_env() -> str:
    """``allow`` unless ``FOLLOW_DECISION`` says ``deny``."""
    wanted = os.environ.get(DECISION, "allow").strip().lower() or "allow"
    if wanted not in ("allow", "deny"):
        raise BrowserError(f"{DECISION} must be allow or deny, not {wanted!r}")
    return wanted


def is_loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def shown(url: str) -> str:
    """``url`` without its query (codes and states live there)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"


class Log:
    """The ``FOLLOW_LOG`` JSON lines, and the steps of this walk in memory."""

    def __init__(self, path: str | os.PathLike[str] | None) -> None:
        self.path = Path(path) if path else None
        self.steps: list[dict[str, Any]] = []

    def __call__(self, step: str, **fields: Any) -> None:
        entry = {"step": step, **fields}
        self.steps.append(entry)
        if self.path is not None:
            with self.path.open("a", encoding="utf-8") as out:  # one short write per line
                out.write(json.dumps(entry) + "\n")


class _Page(HTMLParser):
    """The title and the first form that has ``decision`` buttons."""

    def __init__(self) -> None:
        super().__init__()
        self.title = ""
        self.action: str | None = None
        self.method = "get"
        self.fields: dict[str, str] = {}
        self.decisions: set[str] = set()
        self._in_title = False
        self._in_form = False
        self._found = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "title":
            self._in_title = True
        elif self._found:
            return
        elif tag == "form":
            self._in_form = True
            self.action = values.get("action", "")
            self.method = values.get("method", "get").lower()
            self.fields, self.decisions = {}, set()
        elif self._in_form and tag == "input" and values.get("name"):
            self.fields[values["name"]] = values.get("value", "")
        elif self._in_form and tag == "button" and values.get("name") == "decision":
            self.decisions.add(values.get("value", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        elif tag == "form" and self._in_form:
            self._in_form = False
            self._found = bool(self.decisions)

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data


def _parse(page: bytes) -> _Page:
    parsed = _Page()
    parsed.feed(page.decode("utf-8", "replace"))
    parsed.title = " ".join(parsed.title.split())
    return parsed


def _request(method: str, url: str, body: bytes | None = None) -> tuple[int, dict[str, str], bytes]:
    if not is_loopback(url):
        raise BrowserError(f"refusing to open a URL that is not on loopback: {shown(url)}")
    parts = urlsplit(url)
    connection: http.client.HTTPConnection
    if parts.scheme == "https":
        context = ssl._create_unverified_context()  # noqa: S323 - a loopback test server
        connection = http.client.HTTPSConnection(
            parts.hostname, parts.port, timeout=30, context=context
        )
    elif parts.scheme == "http":
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    else:
        raise BrowserError(f"cannot open a {parts.scheme!r} URL")
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    headers = {"Accept": "text/html", "User-Agent": "devcreds-tests-follow"}
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    try:
        connection.request(method, target, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    except OSError as exc:
        raise BrowserError(f"{method} {shown(url)} failed: {exc}") from None
    finally:
        connection.close()


def _with_state(url: str, value: str) -> str:
    parts = urlsplit(url)
    query = parse_qs(parts.query, keep_blank_values=True)
    query["state"] = [value]
    return urlunsplit(parts._replace(query=urlencode(query, doseq=True)))


def _deliver(url: str, state_mode: str, log: Log) -> tuple[int, bytes]:
    """GET the callback (with a wrong state first, if asked); returns the last answer."""
    query = parse_qs(urlsplit(url).query, keep_blank_values=True)
    log(
        "redirect",
        port=urlsplit(url).port,
        params=sorted(query),
        error=query.get("error", [None])[0],
    )
    attempts = {"": [url], "wrong": [_with_state(url, WRONG_STATE)]}
    attempts["wrong-first"] = [*attempts["wrong"], url]
    if state_mode not in attempts:
        raise BrowserError(f"{STATE} must be wrong or wrong-first, not {state_mode!r}")
    for attempt in attempts[state_mode]:
        status, _, page = _request("GET", attempt)
        log("callback", port=urlsplit(attempt).port, status=status, title=_parse(page).title)
    return status, page


def follow(
    url: str,
    decision: str | None = None,
    state: str | None = None,
    log: str | os.PathLike[str] | None = None,
) -> list[dict[str, Any]]:
    """Walk from ``url`` as the module docstring says; returns the steps (as logged).
    ``decision``, ``state`` and ``log`` default to ``FOLLOW_DECISION``, ``FOLLOW_STATE``
    and ``FOLLOW_LOG``. Raises ``BrowserError`` when the walk fails."""
    steps = Log(log if log is not None else os.environ.get(LOG))
    try:
        _walk(
            url,
            decision or decision_from_env(),
            state if state is not None else os.environ.get(STATE, ""),
            steps,
        )
    except Exception as exc:
        steps("done", ok=False, reason=str(exc) or type(exc).__name__)
        raise
    finally:
        steps("end")
    return steps.steps


def _walk(url: str, choice: str, state_mode: str, log: Log) -> None:
    log("open", url=shown(url))
    method, body = "GET", None
    for _ in range(_MAX_STEPS):
        status, headers, page = _request(method, url, body)
        location = headers.get("location")
        if 300 <= status < 400 and location:
            target = urljoin(url, location)
            if origin(target) != origin(url):  # to the client's listener: the callback
                status, page = _deliver(target, state_mode, log)
                url = target
            else:
                url, method, body = target, "GET", None
                continue
        parsed = _parse(page)
        if 200 <= status < 300 and parsed.decisions and parsed.method == "post":
            if choice not in parsed.decisions:
                raise BrowserError(f"the page offers {sorted(parsed.decisions)}, not {choice}")
            log("decision", decision=choice)
            fields = {**parsed.fields, "decision": choice}
            url = urljoin(url, parsed.action or "")
            method, body = "POST", urlencode(fields).encode()
            continue
        if not 200 <= status < 300:
            what = parsed.title or repr(page[:200])
            raise BrowserError(f"{shown(url)} answered {status}: {what}")
        log("done", ok=True, reason=None, url=shown(url), title=parsed.title)
        return
    raise BrowserError(f"more than {_MAX_STEPS} steps")


def detach() -> None:
    """Return to the caller at once (the parent exits 0); go on in a session of our own."""
    if os.fork():
        os._exit(0)
    os.setsid()
    devnull = os.open(os.devnull, os.O_RDWR)
    for stream in (0, 1):
        os.dup2(devnull, stream)


def main(walk: Callable[[str], object], argv: list[str] | None = None) -> int:
    """The command line both stand-in browsers share: ``[--detach] URL``."""
    parser = argparse.ArgumentParser(description="A stand-in browser for BROWSER.")
    parser.add_argument("url")
    parser.add_argument("--detach", action="store_true", help="return at once, walk in a child")
    args = parser.parse_args(argv)
    if args.detach or os.environ.get(DETACH, "") not in ("", "0"):
        detach()
    try:
        walk(args.url)
    except BrowserError as exc:
        print(f"browser: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        sys.exit(main(follow))
