"""Keeping the files devcreds wrote fresh: ``refresh`` (one pass) and ``Watch`` (a loop).

A file is due when the credentials it holds are no longer fresh by the rule
every other part of devcreds applies (``keys.fresh``: more than min(15
minutes, a third of their lifetime) left). Their lifetime is the role cache's
when the cache still holds these very credentials, else the time from the
write to the expiry, which is never longer than the real one, so a file is
never judged due before the resolver would fetch anew for it. Each due file
is rewritten through the same locked, verified and atomic write as
``devcreds write``, in the targets that hold devcreds' credentials now, with
credentials fetched once per profile per pass. A file that is gone, or holds
nothing of devcreds' any more, is forgotten and never created again.

Nothing here is interactive or sleeps on its own: the caller supplies the
fetching (which may log in at a terminal), the clock and the sleep.
"""

from __future__ import annotations

import datetime as dt
import os
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Protocol

from devcreds import awsconfig, cache, files, formats, keys
from devcreds.awsconfig import AwsConfig, SsoSession
from devcreds.cache import RoleCredentials
from devcreds.errors import DevcredsError, FileError, LoginRequired, Refusal, UsageError
from devcreds.paths import Paths
from devcreds.sinks import deliver
from devcreds.sinks import refresh as sinks

# profile, and the instant the credentials must outlive (None: any fresh ones will do).
Fetch = Callable[[str, dt.datetime | None], RoleCredentials]
Clock = Callable[[], dt.datetime]
Status = Literal["updated", "unchanged", "fresh", "live", "dropped", "leftovers", "failed"]

# botocore's windows for role credentials: from the advisory point on it refreshes them,
# from the mandatory point on it must. Scaled down as ``keys.fresh`` scales the window
# for credentials that live less than 45 minutes.
ADVISORY = keys.REFRESH_WINDOW
MANDATORY = 10 * 60
# Watch sleeps in steps this long at most, then reads the wall clock again: a laptop that
# slept, or a clock that jumped, is noticed within a step, and records written meanwhile too.
STEP = 60.0
_MIN_SLEEP = 1.0
# While a session waits for a login, its token file is looked at this often (one stat).
LOGIN_POLL = 5.0
# Retries after a failure: exponential from the first, with jitter, and capped.
_BACKOFF_FIRST = 5.0
_BACKOFF_MAX = 300.0


def window(lifetime: float | None) -> float:
    """The seconds before expiry from which ``keys.fresh`` calls credentials stale."""
    return ADVISORY if lifetime is None else min(ADVISORY, lifetime / 3)


@dataclass(frozen=True)
class FileResult:
    """What happened to one file. Never a secret."""

    path: Path
    kind: str
    profile: str | None
    status: Status
    expires_at: dt.datetime | None = None  # of the credentials the file holds now
    refresh_at: dt.datetime | None = None  # when they stop being fresh
    note: str | None = None
    error: DevcredsError | None = None
    kept: tuple[str, ...] = ()  # user values a rewrite saved for clean to put back


@dataclass(frozen=True)
class Report:
    results: list[FileResult]
    warnings: list[str]

    @property
    def failures(self) -> list[FileResult]:
        return [r for r in self.results if r.error is not None]

    def error(self) -> DevcredsError | None:
        return summary(self.results)


def summary(results: Sequence[FileResult]) -> DevcredsError | None:
    """One error for the whole pass if any file failed: of their kind (and so their exit
    code) when they share one, with their hint when they share that too."""
    errors = [r.error for r in results if r.error is not None]
    if not errors:
        return None
    kinds = {type(e).exit_code for e in errors}
    kind = type(errors[0]) if len(kinds) == 1 else FileError
    hints = {e.hint for e in errors}
    hint = next(iter(hints)) if len(hints) == 1 else None
    return kind(
        f"{len(errors)} of {len(results)} files were not refreshed (each left as it was)",
        hint=hint or "fix what is named above, then run devcreds refresh again",
    )


@dataclass(frozen=True)
class _Due:
    """A file whose credentials are to be rewritten."""

    found: sinks.Found
    profile: str
    expires_at: dt.datetime
    lifetime: float | None  # of the credentials it holds, as far as known


def refresh(
    paths: Paths,
    config: AwsConfig,
    fetch: Fetch,
    now: dt.datetime,
    *,
    chosen: Sequence[Path] | None = None,
    force: bool = False,
    allow_tracked: bool = False,
    fsync: files.Fsync = os.fsync,
) -> Report:
    """Rewrite every recorded file (or the ones ``chosen``) whose credentials are due, or all
    that hold any with ``force``; forget the files that hold none. One bad file stops no other.
    """
    found, warnings = sinks.survey(paths, chosen)
    results: dict[Path, FileResult] = {}
    due: list[_Due] = []
    for item in found:
        judged = _judge(paths, config, item, now, fsync, force=force)
        if isinstance(judged, _Due):
            due.append(judged)
        else:
            results[item.path] = judged
    rewritten, more = _rewrite(paths, config, fetch, due, now, allow_tracked, fsync)
    results.update(rewritten)
    return Report([results[item.path] for item in found], warnings + more)


def _judge(
    paths: Paths,
    config: AwsConfig,
    item: sinks.Found,
    now: dt.datetime,
    fsync: files.Fsync,
    *,
    force: bool = False,
) -> FileResult | _Due:
    """What a pass does with one file: leave it (and say why), forget it, or rewrite it."""
    state = item.state
    profile = state.profile if state else None

    def result(
        status: Status, note: str | None = None, error: DevcredsError | None = None
    ) -> FileResult:
        return FileResult(item.path, item.kind, profile, status, note=note, error=error)

    if item.condition == "live":
        return result("live", "points at devcreds serve; nothing in it expires")
    if item.condition == "unreadable":
        return result("failed", error=item.error)
    if item.condition in ("gone", "emptied"):
        why = "is gone" if item.condition == "gone" else "no longer holds devcreds' credentials"
        try:
            dropped = sinks.drop(paths, item.path, fsync=fsync)
        except DevcredsError as exc:
            return result("failed", error=exc)
        if not dropped:
            return result("unchanged", f"{item.path} changed while devcreds looked at it")
        return result("dropped", f"{item.path} {why}; dropped from the record")
    if item.condition == "leftovers":
        names = ", ".join(item.leftovers)
        return result(
            "leftovers",
            f"{item.path} no longer holds devcreds' credentials, only its {names}; "
            f"left as it is (devcreds clean {item.path} takes that out)",
        )
    assert state is not None
    expires = cache.parse_timestamp(state.expires_at)
    lifetime = _lifetime(
        paths,
        config,
        state.profile,
        expires,
        cache.parse_timestamp(state.written_at),
        lambda cached: sinks.holds(item, formats.variables(cached.fields())),
    )
    if not force and keys.fresh((expires - now).total_seconds(), lifetime):
        refresh_at = expires - dt.timedelta(seconds=window(lifetime))
        return FileResult(item.path, item.kind, profile, "fresh", expires, refresh_at)
    return _Due(item, state.profile, expires, lifetime)


def _lifetime(
    paths: Paths,
    config: AwsConfig,
    profile: str,
    expires: dt.datetime,
    written: dt.datetime,
    same: Callable[[RoleCredentials], bool],
) -> float | None:
    """The lifetime the resolver knows for these credentials, when its cache holds them;
    else from the write to the expiry (they were issued no later than written)."""
    cached = _cached(paths, config, profile)
    # Records and caches keep whole seconds; freshly fetched credentials may carry more.
    at = cache.format_timestamp
    if cached is not None and at(cached.expiration) == at(expires) and same(cached):
        return cached.lifetime.total_seconds() if cached.lifetime is not None else None
    return keys.lifetime_seconds((expires - written).total_seconds())


def _cached(paths: Paths, config: AwsConfig, profile: str) -> RoleCredentials | None:
    """The credentials the role cache holds for ``profile``, read as the resolver reads them."""
    try:
        chain = awsconfig.credential_chain(config, profile)
    except UsageError:
        return None  # the profile is gone from the config: the fetch will say so
    if chain.hops:
        return cache.load_assumed_role(paths, chain.hops[-1])
    return cache.load_role_credentials(paths, chain.root)


def _rewrite(
    paths: Paths,
    config: AwsConfig,
    fetch: Fetch,
    due: Sequence[_Due],
    now: dt.datetime,
    allow_tracked: bool,
    fsync: files.Fsync,
) -> tuple[dict[Path, FileResult], list[str]]:
    """Write fresh credentials into each due file: one fetch per profile, however many files."""
    # Credentials that outlive every file's, so a pass never writes back what a file holds.
    outlive: dict[str, dt.datetime] = {}
    for item in due:
        outlive[item.profile] = max(item.expires_at, outlive.get(item.profile, item.expires_at))
    fetched: dict[str, RoleCredentials | DevcredsError] = {}

    def credentials_of(profile: str) -> RoleCredentials:
        if profile not in fetched:
            try:
                fetched[profile] = fetch(profile, outlive[profile])
            except DevcredsError as exc:
                fetched[profile] = exc
        got = fetched[profile]
        if isinstance(got, DevcredsError):
            raise got
        return got

    results: dict[Path, FileResult] = {}
    warnings: list[str] = []
    for item in due:
        path, kind, profile = item.found.path, item.found.kind, item.profile
        written = item.found.state
        with_region = written is not None and written.with_region

        def delivery(profile: str = profile, with_region: bool = with_region) -> deliver.Delivery:
            creds = credentials_of(profile)
            variables = formats.variables(creds.fields())
            # The region as the config says it now, where the user asked for one; without a
            # region there, the one devcreds wrote stays as it is (and so does the user's own).
            region = awsconfig.profile_region(config, profile) if with_region else None
            if region:
                variables["AWS_REGION"] = region
            return deliver.Delivery(variables, profile, creds.expiration, with_region=with_region)

        try:
            report = deliver.write(
                paths,
                kind,
                [path],
                delivery,
                now=now,
                only=list(item.found.targets),
                # The user's --allow-tracked of the write stands; write credentials never asks
                # git: the file is the user's own, not a project's.
                allow_tracked=(
                    allow_tracked
                    or kind == "credentials"
                    or bool(written and written.allow_tracked)
                ),
                existing_only=True,  # a file deleted since the check is not recreated
                fsync=fsync,
            )
        except DevcredsError as exc:
            results[path] = FileResult(path, kind, profile, "failed", error=exc)
            continue
        warnings += report.warnings
        (outcome,) = report.outcomes
        if outcome.error is not None:
            results[path] = FileResult(path, kind, profile, "failed", error=outcome.error)
            continue
        creds = credentials_of(profile)

        def same(cached: RoleCredentials, creds: RoleCredentials = creds) -> bool:
            return cached.access_key_id == creds.access_key_id

        lifetime = _lifetime(paths, config, profile, creds.expiration, now, same)
        results[path] = FileResult(
            path,
            kind,
            profile,
            "updated" if outcome.changed else "unchanged",
            expires_at=creds.expiration,
            refresh_at=creds.expiration - dt.timedelta(seconds=window(lifetime)),
            note=outcome.note,
            kept=tuple(outcome.kept),
        )
    return results, warnings


class Events(Protocol):
    """What ``Watch`` tells as it goes; the CLI turns these into lines (and notifications)."""

    def watching(self, files: int, next_at: dt.datetime | None) -> None:
        """The number of files watched changed (or the watch began)."""

    def file(self, result: FileResult, retry_at: dt.datetime | None) -> None:
        """Something was done to a file, or failed (then ``retry_at``)."""

    def login_needed(self, error: LoginRequired) -> None:
        """Only a login can help these files; said once until a login is found."""

    def login_found(self, session: str) -> None:
        """A new login for ``session`` appeared in the cache: the watch resumes."""

    def warning(self, text: str) -> None:
        """Said once."""


@dataclass(frozen=True)
class Cycle:
    results: list[FileResult]
    next_at: dt.datetime | None  # when something is due next (None: nothing to watch)


@dataclass
class _Retry:
    attempts: int
    at: dt.datetime
    expires_at: str  # the record's, when scheduled: a write by anyone else starts afresh


Signature = tuple[int, int, int] | None
_Stamp = tuple[str, Signature]  # the record's last write, and the config file's signature


@dataclass
class Watch:
    """Rewrites each recorded file ahead of its expiry until stopped.

    A cycle re-reads the records (cheap: small files) and does what is due; ``run``
    sleeps between cycles in bounded steps, never holding a lock. A failure is retried
    with exponential back-off and jitter, by the mandatory point at the latest and never
    later than the expiry. When only a login can help, the watch says so once and waits,
    without calling out, until the session's token file changes (a login by devcreds or
    the AWS CLI), then carries on by itself."""

    paths: Paths
    config: Callable[[], AwsConfig]
    fetch: Fetch
    clock: Clock
    sleep: Callable[[float], None]
    events: Events
    allow_tracked: bool = False
    jitter: Callable[[], float] = random.random  # in [0, 1)
    fsync: files.Fsync = os.fsync
    _retries: dict[Path, _Retry] = field(default_factory=dict, init=False)
    _waiting: dict[str, Signature] = field(default_factory=dict, init=False)  # by token file
    _said: set[str] = field(default_factory=set, init=False)  # warnings, said once
    _told: set[str] = field(default_factory=set, init=False)  # sessions said to need a login
    _watched: frozenset[Path] | None = field(default=None, init=False)
    # Files refused by a rule no retry can change, and what must change before another try.
    _stuck: dict[Path, _Stamp] = field(default_factory=dict, init=False)

    def run(self, stopped: Callable[[], bool]) -> None:
        while not stopped():
            next_at = self.cycle().next_at
            if stopped():
                return
            left = (next_at - self.clock()).total_seconds() if next_at else STEP
            self.sleep(min(STEP, max(_MIN_SLEEP, left)))

    def cycle(self) -> Cycle:
        now = self.clock()
        try:
            config = self.config()
            found, warnings = sinks.survey(self.paths)
        except DevcredsError as exc:
            self._say(f"{exc.message} ({exc.hint})" if exc.hint else exc.message)
            return Cycle([], now + dt.timedelta(seconds=STEP))
        for text in warnings:
            self._say(text)
        results: list[FileResult] = []
        due: list[_Due] = []
        upcoming: list[dt.datetime] = []
        watched = []
        for item in found:
            if item.condition != "holds":
                if item.condition != "live":
                    results.append(self._leave(config, item, now))
                continue
            watched.append(item.path)
            stuck = self._stuck.get(item.path)
            if stuck is not None and stuck == _stamp(item, config):
                continue  # said once; waits for the user to change the file's record or config
            self._stuck.pop(item.path, None)
            judged = _judge(self.paths, config, item, now, self.fsync)
            if isinstance(judged, FileResult):
                self._retries.pop(item.path, None)
                if judged.refresh_at is not None:
                    upcoming.append(judged.refresh_at)
                continue
            retry = self._retries.get(item.path)
            if retry is not None and retry.expires_at != cache.format_timestamp(judged.expires_at):
                del self._retries[item.path]  # rewritten by someone else: start afresh
            elif retry is not None and retry.at > now:
                upcoming.append(retry.at)
                continue
            if self._awaiting_login(config, judged.profile):
                continue
            due.append(judged)
        if frozenset(watched) != self._watched:
            self._watched = frozenset(watched)
            self.events.watching(len(watched), min(upcoming, default=None))
        rewritten, more = _rewrite(
            self.paths, config, self.fetch, due, now, self.allow_tracked, self.fsync
        )
        for text in more:
            self._say(text)
        for rewrite in due:
            result = rewritten[rewrite.found.path]
            results.append(result)
            retry_at = self._after(config, rewrite, result, now)
            if retry_at is not None:
                upcoming.append(retry_at)
            elif result.refresh_at is not None:
                upcoming.append(result.refresh_at)
        if self._waiting:
            upcoming.append(now + dt.timedelta(seconds=LOGIN_POLL))
        return Cycle(results, min(upcoming, default=None))

    def _leave(self, config: AwsConfig, item: sinks.Found, now: dt.datetime) -> FileResult:
        """A file that is not watched: forgotten, or left with a word said once."""
        self._retries.pop(item.path, None)
        result = _judge(self.paths, config, item, now, self.fsync)
        assert isinstance(result, FileResult)
        if result.status == "dropped":
            self.events.file(result, None)
        else:
            text = result.note or (result.error.message if result.error else result.status)
            self._say(text)
        return result

    def _after(
        self, config: AwsConfig, item: _Due, result: FileResult, now: dt.datetime
    ) -> dt.datetime | None:
        """Note how a rewrite went; the time of the retry, if one is needed."""
        path = item.found.path
        session = _session_of(config, item.profile)
        if isinstance(result.error, LoginRequired) and session is not None:
            # No retries: nothing but a new token can help, and the cycles look for one.
            self._retries.pop(path, None)
            self._waiting[session.token_key] = _signature(cache.token_path(self.paths, session))
            if session.token_key not in self._told:
                self._told.add(session.token_key)
                self.events.login_needed(result.error)
            return None
        if isinstance(result.error, (UsageError, Refusal)):
            # A rule or the config refuses it: retrying cannot help. Said once, with its fix.
            self._retries.pop(path, None)
            self._stuck[path] = _stamp(item.found, config)
            self.events.file(result, None)
            return None
        if session is not None and result.error is None:
            self._told.discard(session.token_key)
        still_due = result.error is None and (result.refresh_at or now) <= now
        if result.error is None and not still_due:
            self._retries.pop(path, None)
            self.events.file(result, None)
            return None
        # A failure, or credentials that came back due already: try again, but not at once.
        previous = self._retries.get(path)
        attempts = previous.attempts + 1 if previous else 1
        if still_due and result.expires_at is not None and result.refresh_at is not None:
            expires = result.expires_at
            before = (result.expires_at - result.refresh_at).total_seconds()
        else:
            expires, before = item.expires_at, window(item.lifetime)
        retry_at = self._backoff(attempts, now, expires, before * MANDATORY / ADVISORY)
        self._retries[path] = _Retry(attempts, retry_at, cache.format_timestamp(expires))
        self.events.file(result, retry_at)
        return retry_at

    def _backoff(
        self, attempts: int, now: dt.datetime, expires: dt.datetime, mandatory: float
    ) -> dt.datetime:
        """Exponential with jitter; by the mandatory point at the latest while it is ahead,
        else by the expiry while that is ahead."""
        delay = min(_BACKOFF_MAX, _BACKOFF_FIRST * 2 ** (attempts - 1))
        delay *= 0.5 + self.jitter() / 2  # spreads the retries of many watchers apart
        soonest = now + dt.timedelta(seconds=_MIN_SLEEP)
        retry_at = max(soonest, now + dt.timedelta(seconds=delay))
        for deadline in (expires - dt.timedelta(seconds=mandatory), expires):
            if deadline > now:
                return min(retry_at, max(deadline, soonest))
        return retry_at

    def _awaiting_login(self, config: AwsConfig, profile: str) -> bool:
        """Whether this profile's session waits for a login that has not happened yet."""
        session = _session_of(config, profile)
        if session is None or session.token_key not in self._waiting:
            return False
        seen = _signature(cache.token_path(self.paths, session))
        if seen == self._waiting[session.token_key]:
            return True
        del self._waiting[session.token_key]
        self.events.login_found(session.label)
        return False

    def _say(self, text: str) -> None:
        if text not in self._said:
            self._said.add(text)
            self.events.warning(text)


def _session_of(config: AwsConfig, profile: str) -> SsoSession | None:
    try:
        return awsconfig.credential_chain(config, profile).root.session
    except UsageError:
        return None


def _stamp(found: sinks.Found, config: AwsConfig) -> _Stamp:
    return (found.state.written_at if found.state else "", _signature(config.path))


def _signature(path: Path) -> Signature:
    """What changes when the token file is written again (a login)."""
    try:
        info = path.stat()
    except OSError:
        return None
    return (info.st_mtime_ns, info.st_size, info.st_ino)
