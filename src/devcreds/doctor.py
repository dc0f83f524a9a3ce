"""``devcreds doctor``: why a profile's credentials would fail, one check at a time.

Each check says what it found and, when something is wrong, the command or setting that
fixes it. A failing check carries the exit code the command it guards would have exited
with (a config error 2, a login needed 3, a network failure 5, a loose file 6), so a script
can tell them apart. Checks that depend on an earlier one (a token needs a session, a
session needs a profile) are left out when it fails. Never a secret: tokens and keys are
looked at only for their expiry. It changes nothing but what reading a cache always does
(a token or credentials file others can read is made 0600; the permissions check runs
first, so it still reports it). The clock check sends one call with a made-up token, which
every portal refuses, and reads the refusal's Date header.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import os
import stat
import urllib.parse
from collections.abc import Callable, Generator, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from devcreds import awsconfig, cache, regions
from devcreds.awsconfig import AwsConfig, CredentialChain, SsoSession
from devcreds.cache import format_timestamp
from devcreds.errors import DevcredsError, FileError, LoginRequired, NetworkError, UsageError
from devcreds.paths import Paths
from devcreds.serve import state
from devcreds.sinks import deliver
from devcreds.sso import starturl

OK, INFO, WARN, FAIL = "ok", "info", "warn", "fail"
SKEW_WARN = 60.0  # seconds; a token's expiry is then off by as much
SKEW_FAIL = 300.0  # seconds; AWS refuses signatures this far off
_ENDPOINT_PREFIX = "AWS_ENDPOINT_URL"
_PROXIES = ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "NO_PROXY", "no_proxy")
# The Date header of the portal's answer to a call, or None if it could not be reached.
ServerDate = Callable[[SsoSession], dt.datetime | None]


@dataclass(frozen=True)
class Check:
    name: str
    level: str  # ok, info, warn or fail
    text: str
    fix: str | None = None
    exit_code: int = 0  # a failure's: the code of the error it stands for


def examine(
    paths: Paths,
    environ: Mapping[str, str],
    profile: str,
    now: dt.datetime,
    server_date: ServerDate,
) -> list[Check]:
    """Every check for ``profile``, in the order a fix is best made."""
    return list(_checks(paths, environ, profile, now, server_date))


def _failed(name: str, exc: DevcredsError) -> Check:
    return Check(name, FAIL, exc.message, exc.hint, exc.exit_code)


def _checks(
    paths: Paths,
    environ: Mapping[str, str],
    profile: str,
    now: dt.datetime,
    server_date: ServerDate,
) -> Iterator[Check]:
    yield from _permissions(paths)
    try:
        config = awsconfig.load(paths.config_file, paths.credentials_file)
    except DevcredsError as exc:
        yield _failed("config", exc)
        return
    yield Check(
        "config",
        OK,
        f"{paths.config_file} parses (profiles: {len(config.profiles)}, "
        f"sso-sessions: {len(config.sso_sessions)})",
    )
    yield from _environment(environ, config, profile)
    try:
        chain = awsconfig.credential_chain(config, profile)
    except DevcredsError as exc:
        yield _failed("profile", exc)
        yield from _files(paths, now)
        return
    yield _profile(chain, profile)
    yield _region(config, profile, environ)
    session = chain.root.session
    session_ok = yield from _session(session)
    if session_ok:
        yield from _token(paths, session, profile, now)
        cached = cache.load_role_credentials(paths, chain.root)
        if cached is None:
            yield Check("credentials", INFO, "none cached: the next export fetches them")
        else:
            yield Check(
                "credentials",
                INFO if cached.fresh(now) else WARN,
                f"cached until {format_timestamp(cached.expiration)}"
                + ("" if cached.fresh(now) else " (due: the next export renews them)"),
            )
        yield _clock(server_date, session, now)
    yield from _files(paths, now)


def _profile(chain: CredentialChain, profile: str) -> Check:
    root = chain.root
    text = (
        f"{profile}: role {root.role_name} in account {root.account_id} through "
        f"{'sso-session ' + root.session.name if root.session.name else 'a legacy sso_start_url'}"
    )
    if chain.hops:
        text += f", then {len(chain.hops)} assumed role(s), last {chain.hops[-1].role_arn}"
    return Check("profile", OK, text)


def _region(config: AwsConfig, profile: str, environ: Mapping[str, str]) -> Check:
    region = awsconfig.profile_region(config, profile)
    from_env = environ.get("AWS_REGION") or environ.get("AWS_DEFAULT_REGION")
    if region is None and from_env is None:
        return Check(
            "region",
            WARN,
            f"profile {profile} has no region and AWS_REGION is unset: SDK calls will ask for one",
            f"add region = REGION to [profile {profile}] (devcreds configure sso --region)",
        )
    if region is not None and not regions.valid(region):
        return Check(
            "region", FAIL, f"region {region} of profile {profile} is not a region",
            regions.hint(region), UsageError.exit_code,
        )  # fmt: skip
    shown = from_env if from_env else region
    where = "from AWS_REGION/AWS_DEFAULT_REGION" if from_env else "from the profile"
    return Check("region", OK, f"{shown} ({where})")


def _session(session: SsoSession) -> Generator[Check, None, bool]:
    """The session's check; returns whether the later checks can use it."""
    if not starturl.acceptable(session.start_url):
        yield Check(
            "sso-session", FAIL, f"{session.label}: {session.start_url} is not an https URL",
            "devcreds configure sso --start-url https://d-0123456789.awsapps.com/start …",
            UsageError.exit_code,
        )  # fmt: skip
        return False
    text = f"{session.label}: {session.start_url} in {session.region}"
    if session.name is not None and "sso:account:access" not in (session.scopes or ()):
        yield Check(
            "sso-session", WARN, text + "; sso_registration_scopes lacks sso:account:access, "
            "so the token cannot renew itself",
            f"devcreds configure sso --sso-session {session.name} --scopes sso:account:access "
            "… then devcreds login",
        )  # fmt: skip
    else:
        yield Check("sso-session", OK, text)
    return True


def _token(paths: Paths, session: SsoSession, profile: str, now: dt.datetime) -> Iterator[Check]:
    hint = f"devcreds login --profile {profile}"
    token = cache.load_token(paths, session)
    if token is not None and token.start_url != session.start_url:
        yield _failed(
            "token",
            LoginRequired(
                f"the cached token of {session.label} is for {token.start_url}", hint=hint
            ),
        )
        return
    if token is None:
        yield _failed("token", LoginRequired(f"no SSO token for {session.label}", hint=hint))
        return
    expiry = format_timestamp(token.expires_at)
    refreshable = token.refreshable(now)
    if token.expires_at <= now and not refreshable:
        yield _failed("token", LoginRequired(f"the token expired at {expiry}", hint=hint))
        return
    if token.expires_at <= now:
        yield Check("token", OK, f"expired at {expiry}; renews itself at the next use")
    else:
        yield Check("token", OK, f"valid until {expiry}")
    if refreshable:
        until = (
            format_timestamp(token.registration_expires_at)
            if token.registration_expires_at
            else "?"
        )
        yield Check(
            "renewal", OK, f"renews itself with its refresh token (registration until {until})"
        )
    else:
        yield Check(
            "renewal", WARN, f"no refresh token: a login is needed after {expiry}",
            "keep sso_registration_scopes = sso:account:access in the sso-session, then "
            + hint,
        )  # fmt: skip


def _clock(server_date: ServerDate, session: SsoSession, now: dt.datetime) -> Check:
    try:
        served = server_date(session)
    except NetworkError as exc:
        return _failed("clock", exc)
    if served is None:
        return Check("clock", INFO, "the portal's answer had no Date header to compare with")
    skew = (served - now).total_seconds()
    ahead = f"{abs(skew):.0f} s {'behind' if skew > 0 else 'ahead of'} IAM Identity Center"
    fix = "sync this computer's clock (timedatectl set-ntp true; w32tm /resync on Windows)"
    if abs(skew) >= SKEW_FAIL:
        return Check(
            "clock", FAIL, f"this clock is {ahead}: tokens and credentials seem to expire at "
            "the wrong time and AWS refuses signed calls", fix, NetworkError.exit_code,
        )  # fmt: skip
    if abs(skew) >= SKEW_WARN:
        return Check("clock", WARN, f"this clock is {ahead}", fix)
    return Check("clock", OK, f"within {abs(skew):.0f} s of IAM Identity Center")


def _environment(environ: Mapping[str, str], config: AwsConfig, profile: str) -> Iterator[Check]:
    endpoints = sorted(name for name in environ if name.startswith(_ENDPOINT_PREFIX))
    if endpoints:
        shown = ", ".join(f"{name}={_without_password(environ[name])}" for name in endpoints)
        yield Check("endpoints", INFO, f"{shown}: AWS calls go there, not to AWS")
    else:
        yield Check("endpoints", OK, "no AWS_ENDPOINT_URL*: AWS's own endpoints")
    proxies = [
        f"{name}={_without_password(environ[name])}" for name in _PROXIES if environ.get(name)
    ]
    if proxies:
        yield Check("proxy", INFO, ", ".join(proxies))
    bundle = awsconfig.ca_bundle(config, profile, environ)
    if bundle:
        path = Path(bundle)
        if not path.is_file() or not os.access(path, os.R_OK):
            yield Check(
                "ca-bundle", FAIL, f"the CA bundle {path} cannot be read; every HTTPS call fails",
                "fix AWS_CA_BUNDLE (or ca_bundle in the profile)", FileError.exit_code,
            )  # fmt: skip
        else:
            yield Check("ca-bundle", OK, f"{path} (instead of the system's certificates)")


def _without_password(url: str) -> str:
    """A URL as shown: ``http://user:secret@proxy:3128`` is ``http://user:***@proxy:3128``."""
    parts = urllib.parse.urlsplit(url)
    if parts.password is None:
        return url
    netloc = f"{parts.username}:***@{parts.netloc.rpartition('@')[2]}"
    return urllib.parse.urlunsplit(parts._replace(netloc=netloc))


def _permissions(paths: Paths) -> Iterator[Check]:
    """Token, registration and credential files only their owner may read, in folders only
    their owner may enter (what the AWS CLI creates)."""
    loose: list[str] = []
    for folder in (paths.sso_cache, paths.cli_cache, paths.state):
        for path in (folder, *_files_in(folder)):
            try:
                mode = stat.S_IMODE(path.stat().st_mode)
            except OSError:
                continue
            if mode & 0o077:
                wanted = "700" if path.is_dir() else "600"
                loose.append(f"chmod {wanted} {path}")
    if loose:
        more = f" (and {len(loose) - 1} more)" if len(loose) > 1 else ""
        yield Check(
            "permissions", FAIL,
            f"{len(loose)} cache files or folders can be read by other users: "
            f"{loose[0].split(' ', 2)[2]}{more}",
            "; ".join(loose[:3]) + (" …" if len(loose) > 3 else "")
            + "; whoever read a token holds the session: devcreds logout, then log in again",
            FileError.exit_code,
        )  # fmt: skip
    else:
        yield Check("permissions", OK, "caches are private (files 0600, folders 0700)")


def _files_in(folder: Path) -> list[Path]:
    try:
        return sorted(p for p in folder.rglob("*") if p.is_file())
    except OSError:
        return []


def _files(paths: Paths, now: dt.datetime) -> Iterator[Check]:
    written, warnings = deliver.written(paths, now)
    for text in warnings:
        yield Check("files", WARN, text, "devcreds status")
    for w in written:
        if w.interrupted:
            yield Check(
                "files", WARN, f"a write to {w.path} was interrupted",
                f"devcreds clean {w.path} (or write it again)",
            )  # fmt: skip
    stale = [w for w in written if not w.valid and w.via is None]
    if stale:
        yield Check(
            "files", WARN, f"{len(stale)} files hold expired credentials, e.g. {stale[0].path}",
            "devcreds refresh (or devcreds watch, or write with --via serve)",
        )  # fmt: skip
    elif written:
        yield Check("files", OK, f"{len(written)} files written, none expired")
    if any(w.via == "serve" for w in written):
        if state.probe(paths):
            yield Check("serve", OK, f"devcreds serve answers on port {state.DEFAULT_PORT}")
        else:
            yield Check(
                "serve", WARN, "files point at devcreds serve, which is not running "
                f"on port {state.DEFAULT_PORT}",
                "devcreds serve (or devcreds serve --install)",
            )  # fmt: skip


def server_date_from(client_for: Callable[[str], object]) -> ServerDate:
    """A ``ServerDate`` asking the portal of the session's region through botocore:
    ListAccounts with a made-up token, refused with a 401 that carries a Date header."""

    def ask(session: SsoSession) -> dt.datetime | None:
        from botocore.exceptions import BotoCoreError, ClientError

        client = client_for(session.region)
        try:
            answer = client.list_accounts(accessToken="devcreds-doctor-clock-check")  # type: ignore[attr-defined]
        except ClientError as exc:
            answer = exc.response
        except BotoCoreError as exc:
            raise NetworkError(
                f"the portal of {session.region} cannot be reached: {exc}",
                hint="check the network, proxy (HTTPS_PROXY), AWS_CA_BUNDLE and AWS_ENDPOINT_URL",
            ) from None
        date = answer.get("ResponseMetadata", {}).get("HTTPHeaders", {}).get("date")
        if not date:
            return None
        return email.utils.parsedate_to_datetime(date).astimezone(dt.UTC)

    return ask
