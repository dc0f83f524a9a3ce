"""What ``devcreds status`` reports: SSO sessions, cached role credentials, files written.

Read-only and never a secret: tokens and keys are only looked at for their expiry.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from devcreds import awsconfig, cache
from devcreds.awsconfig import AwsConfig, SsoSession
from devcreds.cache import format_timestamp
from devcreds.paths import Paths
from devcreds.platforms import HOST, Platform
from devcreds.serve import install, state
from devcreds.sinks import deliver


@dataclass(frozen=True)
class SessionStatus:
    session: str | None
    start_url: str
    region: str
    logged_in: bool
    token_expires_at: str | None
    refreshable: bool

    @property
    def needs_login(self) -> bool:
        """No command can get credentials through this session without a person."""
        return not (self.logged_in or self.refreshable)


@dataclass(frozen=True)
class ProfileStatus:
    profile: str
    session: str
    account_id: str
    role_name: str
    credentials_expire_at: str | None
    valid: bool


@dataclass(frozen=True)
class Status:
    sessions: list[SessionStatus]
    profiles: list[ProfileStatus]
    sinks: list[deliver.Written]
    warnings: list[str]
    # Whether devcreds serve answers on its default port; None when no file points at it.
    serve_running: bool | None = None
    serve_installed: Path | None = None  # what serve --install wrote, if it is there


def status(
    paths: Paths,
    config: AwsConfig,
    now: dt.datetime,
    only: SsoSession | None = None,
    environ: Mapping[str, str] | None = None,
    platform: Platform = HOST,
) -> Status:
    """Everything, or with ``only`` what belongs to that one SSO session."""
    profiles = [p for p in awsconfig.sso_profiles(config) if only is None or p.session == only]
    every = awsconfig.all_sso_sessions(config) if only is None else [only]
    sessions = {session.label: session for session in every}
    for profile in profiles:
        sessions.setdefault(profile.session.label, profile.session)
    session_rows = []
    for session in sessions.values():
        token = cache.load_token(paths, session)
        if token is not None and token.start_url != session.start_url:
            token = None  # a login to another portal, as the resolver sees it too
        session_rows.append(
            SessionStatus(
                session.name,
                session.start_url,
                session.region,
                token is not None and token.expires_at > now,
                format_timestamp(token.expires_at) if token else None,
                bool(token and token.refreshable(now)),
            )
        )
    profile_rows = []
    for profile in profiles:
        creds = cache.load_role_credentials(paths, profile)
        profile_rows.append(
            ProfileStatus(
                profile.name,
                profile.session.label,
                profile.account_id,
                profile.role_name,
                format_timestamp(creds.expiration) if creds else None,
                bool(creds and creds.expiration > now),
            )
        )
    sinks, warnings = deliver.written(paths, now)
    if only is not None:
        names = {p.name for p in profiles}
        sinks = [w for w in sinks if w.profile in names]
    running = state.probe(paths) if any(w.via == "serve" for w in sinks) else None
    service = install.installed(paths, environ or {}, platform)
    return Status(session_rows, profile_rows, sinks, warnings, running, service)
