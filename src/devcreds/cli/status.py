"""``devcreds status``: sessions, token and credential expiry. Never a secret."""

from __future__ import annotations

from typing import Any

from rich.table import Table

from devcreds import awsconfig, cache
from devcreds.awsconfig import SsoSession
from devcreds.cache import format_timestamp
from devcreds.cli import render
from devcreds.cli.context import Context
from devcreds.cli.options import Json
from devcreds.errors import UsageError
from devcreds.sinks import registry


def status(as_json: Json = False) -> None:
    """Show SSO sessions and cached role credentials, and how long each lasts."""
    ctx = Context.from_process(None)
    now = ctx.clock()
    config = ctx.config
    profiles = awsconfig.sso_profiles(config)
    sessions: dict[str, SsoSession] = {}
    for name in config.sso_sessions:
        try:
            sessions[name] = awsconfig.sso_session(config, name)
        except UsageError:  # a broken section; `devcreds login` explains it
            continue
    for profile in profiles:
        sessions.setdefault(profile.session.label, profile.session)

    session_rows: list[dict[str, Any]] = []
    for session in sessions.values():
        token = cache.load_token(ctx.paths, session)
        session_rows.append(
            {
                "session": session.name,
                "startUrl": session.start_url,
                "region": session.region,
                "loggedIn": token is not None and token.expires_at > now,
                "tokenExpiresAt": format_timestamp(token.expires_at) if token else None,
                "refreshable": bool(token and token.refreshable(now)),
            }
        )
    profile_rows: list[dict[str, Any]] = []
    for profile in profiles:
        creds = cache.load_role_credentials(ctx.paths, profile)
        profile_rows.append(
            {
                "profile": profile.name,
                "session": profile.session.label,
                "accountId": profile.account_id,
                "roleName": profile.role_name,
                "credentialsExpireAt": format_timestamp(creds.expiration) if creds else None,
                "valid": bool(creds and creds.expiration > now),
            }
        )
    sink_rows: list[dict[str, Any]] = [
        {
            "path": record.path,
            "kind": record.kind,
            "profile": record.profile,
            "expiresAt": record.expires_at,
            "valid": not record.expired(now),
        }
        for record in registry.load(ctx.paths)
    ]
    if as_json:
        render.json_out({"sessions": session_rows, "profiles": profile_rows, "sinks": sink_rows})
        return
    _print(session_rows, profile_rows)
    if sink_rows:
        table = Table("file written", "kind", "profile", "credentials expire")
        for row in sink_rows:
            expiry = row["expiresAt"] + ("" if row["valid"] else " (expired)")
            table.add_row(row["path"], row["kind"], row["profile"], expiry)
        render.stdout.print(table)


def _print(sessions: list[dict[str, Any]], profiles: list[dict[str, Any]]) -> None:
    out = render.stdout
    if not sessions:
        out.print("No SSO sessions configured. Start with: devcreds configure sso --help")
        return
    table = Table("session", "start URL", "logged in", "token expires", "renews itself")
    for row in sessions:
        table.add_row(
            row["session"] or "(legacy profile)",
            row["startUrl"],
            "yes" if row["loggedIn"] else "no",
            row["tokenExpiresAt"] or "-",
            "yes" if row["refreshable"] else "no",
        )
    out.print(table)
    if profiles:
        table = Table("profile", "session", "account", "role", "credentials expire")
        for row in profiles:
            expiry = row["credentialsExpireAt"] or "-"
            table.add_row(
                row["profile"],
                row["session"],
                row["accountId"],
                row["roleName"],
                expiry
                if row["valid"]
                else f"{expiry} (expired)"
                if row["credentialsExpireAt"]
                else "-",
            )
        out.print(table)
