"""``devcreds status``: sessions, token and credential expiry, files written. Never a secret."""

from __future__ import annotations

import datetime as dt

from devcreds.cache import parse_timestamp
from devcreds.cli import render
from devcreds.cli.context import Context
from devcreds.cli.options import Json, OutputFormat, Profile, SsoSessionName
from devcreds.errors import LoginRequired, UsageError
from devcreds.status import Status
from devcreds.status import status as gather


def status(
    profile: Profile = None,
    sso_session: SsoSessionName = None,
    output: OutputFormat = None,
    as_json: Json = False,
) -> None:
    """Show SSO sessions, cached role credentials and the files written, and how long each lasts.

    The exit code is 0 when every session shown gives credentials without a login (logged
    in, or renewable), 3 when one needs a login. --profile or --sso-session shows (and
    tests) just that one session.

    Examples:

    \b
      devcreds status --profile dev >/dev/null || devcreds login --profile dev
      devcreds status --profile dev | Out-Null; if (-not $?) { devcreds login --profile dev }
    """
    how = render.output(output, as_json)
    if profile and sso_session:
        raise UsageError("give --profile or --sso-session, not both", hint="devcreds status --help")
    ctx = Context.from_process(profile)
    only = ctx.session(sso_session) if profile or sso_session else None
    now = ctx.clock()
    result = gather(ctx.paths, ctx.config, now, only, ctx.environ, ctx.platform)
    for text in result.warnings:
        render.warning(text)
    if how is render.Output.json:
        render.json_out(_json(result))
    else:
        _print(result, how, now)
    if not result.sessions:
        raise UsageError(
            f"no SSO sessions in {ctx.config.path}",
            hint="devcreds configure sso --help",
        )
    waiting = [s for s in result.sessions if s.needs_login]
    if waiting:
        first = waiting[0]
        raise LoginRequired(
            f"{len(waiting)} of {len(result.sessions)} SSO sessions need a login",
            hint=f"devcreds login --sso-session {first.session}"
            if first.session
            else "devcreds login --profile PROFILE",
        )


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
                "needsLogin": s.needs_login,
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
        "serveInstalled": str(result.serve_installed) if result.serve_installed else None,
    }


def _print(result: Status, how: render.Output, now: dt.datetime) -> None:
    """A table per kind for people; for scripts, tab-separated lines led by SESSION, PROFILE
    and FILE, with times as ISO 8601 and yes/no flags."""
    table = how is render.Output.table
    if not result.sessions:
        return  # the command says so, with the fix

    def moment(text: str | None) -> str:
        if not text:
            return "-"
        return render.when(parse_timestamp(text), now) if table else text

    def yes(flag: bool | None) -> str:
        return "yes" if flag else "no"

    render.rows(
        "SESSION",
        ("session", "start URL", "region", "logged in", "token expires", "renews itself"),
        [
            [
                s.session or "(legacy profile)",
                s.start_url,
                s.region,
                yes(s.logged_in),
                moment(s.token_expires_at),
                yes(s.refreshable),
            ]
            for s in result.sessions
        ],
        how,
    )
    if result.profiles:
        render.rows(
            "PROFILE",
            ("profile", "session", "account", "role", "credentials expire", "valid"),
            [
                [
                    p.profile,
                    p.session,
                    p.account_id,
                    p.role_name,
                    moment(p.credentials_expire_at),
                    yes(p.valid),
                ]
                for p in result.profiles
            ],
            how,
        )
    if result.sinks:
        lines = []
        for w in result.sinks:
            expiry = moment(w.expires_at)
            if w.via == "serve":
                running = "running" if result.serve_running else "not running: devcreds serve"
                expiry = f"live while serve runs ({running})"
            if w.interrupted:
                expiry += " (interrupted: run devcreds clean or write again)"
            lines.append([w.path, w.describe, w.profile or "-", expiry, yes(w.valid)])
        render.rows(
            "FILE", ("file written", "what", "profile", "credentials expire", "valid"), lines, how
        )
    if result.serve_installed:
        render.rows("SERVE", ("serve starts at each login",), [[str(result.serve_installed)]], how)
