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

Permissions are judged where they mean something: POSIX modes on Linux and macOS, for the
files that hold a secret (tokens, client registrations, role credentials, serve's token).
On Windows a folder under the user's profile is private to its owner by inheritance, and
its mode bits say nothing, so doctor says so (info) and names the command that shows the
ACLs. Fixes are worded for the user's shell (platforms.Platform).
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
from devcreds.platforms import HOST, Platform
from devcreds.serve import install, state
from devcreds.sinks import deliver
from devcreds.sso import starturl

OK, INFO, WARN, FAIL = "ok", "info", "warn", "fail"
SKEW_WARN = 60.0  # seconds; a token's expiry is then off by as much
SKEW_FAIL = 300.0  # seconds; AWS refuses signatures this far off
_CLOCK_SYNC = {
    "win32": "w32tm /resync (in a PowerShell run as administrator)",
    "darwin": "sudo sntp -sS time.apple.com",
    "linux": "timedatectl set-ntp true",
}
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
    platform: Platform = HOST,
) -> list[Check]:
    """Every check for ``profile``, in the order a fix is best made."""
    return list(_checks(paths, environ, profile, now, server_date, platform))


def _failed(name: str, exc: DevcredsError) -> Check:
    return Check(name, FAIL, exc.message, exc.hint, exc.exit_code)


def _checks(
    paths: Paths,
    environ: Mapping[str, str],
    profile: str,
    now: dt.datetime,
    server_date: ServerDate,
    platform: Platform,
) -> Iterator[Check]:
    yield from _permissions(paths, platform)
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
        yield _clock(server_date, session, now, platform)
    yield from _files(paths, now)
    yield from _service(paths, environ, platform)


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


def _clock(
    server_date: ServerDate, session: SsoSession, now: dt.datetime, platform: Platform
) -> Check:
    try:
        served = server_date(session)
    except NetworkError as exc:
        return _failed("clock", exc)
    if served is None:
        return Check("clock", INFO, "the portal's answer had no Date header to compare with")
    skew = (served - now).total_seconds()
    ahead = f"{abs(skew):.0f} s {'behind' if skew > 0 else 'ahead of'} IAM Identity Center"
    fix = "sync this computer's clock: " + _CLOCK_SYNC.get(platform.name, _CLOCK_SYNC["linux"])
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


def _permissions(paths: Paths, platform: Platform) -> Iterator[Check]:
    """The files that hold a secret readable by their owner only (0600), in folders others
    cannot list (0700). Other files there hold none and are not judged: the AWS CLI's
    ``session.db`` (0644), devcreds' record."""
    secret = [
        *_json_in(paths.sso_cache),  # tokens and client registrations
        *_json_in(paths.cli_cache),  # role credentials
        *[p for p in (state.token_file(paths),) if p.is_file()],
    ]
    if platform.windows:
        yield Check(
            "permissions", INFO,
            f"Windows keeps {paths.home} private to you through inherited ACLs "
            "(mode bits mean nothing there; devcreds does not read ACLs)",
            f"to see who may read the tokens: {platform.show_permissions(paths.sso_cache)}",
        )  # fmt: skip
        return
    loose_files = [p for p in secret if _mode(p) & 0o077]
    if loose_files:
        more = f" (and {len(loose_files) - 1} more)" if len(loose_files) > 1 else ""
        fixes = [f"chmod 600 {platform.quote(p)}" for p in loose_files]
        yield Check(
            "permissions", FAIL,
            f"{len(loose_files)} files holding tokens or keys can be read by other users: "
            f"{loose_files[0]}{more}",
            "; ".join(fixes[:3]) + (" …" if len(fixes) > 3 else "")
            + "; whoever read a token holds the session: devcreds logout, then log in again",
            FileError.exit_code,
        )  # fmt: skip
    else:
        yield Check("permissions", OK, f"{len(secret)} files holding secrets are private (0600)")
    folders = sorted({p.parent for p in secret} | {paths.sso_cache.parent, paths.state})
    loose_folders = [f for f in folders if f.is_dir() and _mode(f) & 0o077]
    if loose_folders:
        yield Check(
            "folders", WARN,
            f"others can list {', '.join(map(str, loose_folders))} (the AWS CLI makes its "
            "folders so); they see file names, not the private files inside",
            "; ".join(f"chmod 700 {platform.quote(f)}" for f in loose_folders),
        )  # fmt: skip


def _mode(path: Path) -> int:
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except OSError:
        return 0


def _json_in(folder: Path) -> list[Path]:
    try:
        return sorted(p for p in folder.glob("*.json") if p.is_file())
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


def _service(paths: Paths, environ: Mapping[str, str], platform: Platform) -> Iterator[Check]:
    installed = install.installed(paths, environ, platform)
    if installed is None:
        return
    text = f"serve starts at each login ({installed})"
    if platform.windows:
        text += f"; what it prints goes to {install.log_file(paths)}"
    yield Check("service", INFO, text)


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
