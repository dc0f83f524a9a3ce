"""``devcreds status``: sessions, token and credential expiry, files written. Never a secret."""

from __future__ import annotations

from rich.table import Table

from devcreds.cli import render
from devcreds.cli.context import Context
from devcreds.cli.options import Json
from devcreds.status import Status
from devcreds.status import status as gather


def status(as_json: Json = False) -> None:
    """Show SSO sessions, cached role credentials and the files written, and how long each lasts."""
    ctx = Context.from_process(None)
    result = gather(ctx.paths, ctx.config, ctx.clock())
    for text in result.warnings:
        render.warning(text)
    if as_json:
        render.json_out(_json(result))
        return
    _print(result)


def _json(result: Status) -> dict[str, object]:
    return {
        "sessions": [
            {
                "session": s.session,
                "startUrl": s.start_url,
                "region": s.region,
                "loggedIn": s.logged_in,
                "tokenExpiresAt": s.token_expires_at,
                "refreshable": s.refreshable,
            }
            for s in result.sessions
        ],
        "profiles": [
            {
                "profile": p.profile,
                "session": p.session,
                "accountId": p.account_id,
                "roleName": p.role_name,
                "credentialsExpireAt": p.credentials_expire_at,
                "valid": p.valid,
            }
            for p in result.profiles
        ],
        "sinks": [
            {
                "path": w.path,
                "kind": w.kind,
                "profile": w.profile,
                "expiresAt": w.expires_at,
                "valid": w.valid,
                "interrupted": w.interrupted,
                "targets": w.describe,
                "via": w.via,
                "serveRunning": result.serve_running if w.via == "serve" else None,
            }
            for w in result.sinks
        ],
    }


def _print(result: Status) -> None:
    out = render.stdout
    if not result.sessions:
        out.print("No SSO sessions configured. Start with: devcreds configure sso --help")
    else:
        table = Table("session", "start URL", "logged in", "token expires", "renews itself")
        for s in result.sessions:
            table.add_row(
                s.session or "(legacy profile)",
                s.start_url,
                "yes" if s.logged_in else "no",
                s.token_expires_at or "-",
                "yes" if s.refreshable else "no",
            )
        out.print(table)
    if result.profiles:
        table = Table("profile", "session", "account", "role", "credentials expire")
        for p in result.profiles:
            expiry = p.credentials_expire_at or "-"
            if p.credentials_expire_at and not p.valid:
                expiry += " (expired)"
            table.add_row(p.profile, p.session, p.account_id, p.role_name, expiry)
        out.print(table)
    if result.sinks:
        table = Table("file written", "what", "profile", "credentials expire")
        for w in result.sinks:
            expiry = (w.expires_at or "-") + ("" if w.valid else " (expired)")
            if w.via == "serve":
                running = "running" if result.serve_running else "not running: devcreds serve"
                expiry = f"live while serve runs ({running})"
            if w.interrupted:
                expiry += " (interrupted: run devcreds clean or write again)"
            table.add_row(w.path, w.describe, w.profile or "-", expiry)
        out.print(table)
