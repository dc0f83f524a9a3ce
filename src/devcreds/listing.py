"""Every account and role the signed-in user can reach: the one listing flow of ``roles`` and
``configure sso``.

Accounts are read page by page (100 a page, the most AWS gives), and the roles of each
page's accounts on a bounded pool of threads while the next page comes (botocore clients
are thread-safe). IAM Identity Center throttles these calls (about 20
requests/s for ListAccountRoles), so the flow adapts instead of failing:

* every call waits for its turn at a pacer. Until the first throttle only the pool bounds
  the calls; the first throttle sets a rate, ``DECREASE`` times what the server accepted in
  the last second;
* after that the rate is AIMD: a throttle multiplies it by ``DECREASE`` (once per round:
  a throttled call sent before the last cut does not cut again), every accepted call adds
  ``INCREASE / rate``, about ``INCREASE`` requests/s per second;
* the throttled call itself backs off with full jitter (exponential, capped) and is sent
  again, until the deadline. A 500 is retried once more, as botocore would have.

The portal client should make one attempt per call (``ClientFactory.client(..., attempts=1)``)
so that a throttle reaches the pacer at once instead of after botocore's own backoff.

An account whose roles are still refused at the deadline (or refused outright) is a
``Failure`` of the result, next to everything listed; the caller decides what to show. An
invalid session (``LoginRequired``), a network failure, or the account list itself failing
raise: there is nothing to show then.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from typing import NamedTuple, TypeVar

from devcreds.errors import AwsRefused, DevcredsError, ServerFault, Throttled
from devcreds.sso.portal import Account, Portal

T = TypeVar("T")

WORKERS = 24  # calls in flight at most
DEADLINE = 120.0  # seconds a listing may keep retrying throttled calls
# The rate after a throttle, as a share of the rate before. Measured on 300 accounts at
# 20 requests/s: 0.7 left a tenth of the allowed rate unused; a refused call costs a retry,
# not a token of the server's bucket, so erring high is cheap.
DECREASE = 0.85
INCREASE = 2.0  # requests/s gained per second of accepted calls
MIN_RATE = 1.0  # requests/s; the pacer never goes below it
BACKOFF_BASE = 0.05  # seconds; a throttled call waits up to BACKOFF_BASE * 2**attempt
BACKOFF_CAP = 2.0
FAULT_ATTEMPTS = 2  # attempts of a call the service fails with a 500
WINDOW = 1.0  # seconds of accepted calls that set the first rate


class Role(NamedTuple):
    account_id: str
    account_name: str
    role_name: str


@dataclass(frozen=True)
class Failure:
    """An account whose roles could not be listed."""

    account_id: str
    account_name: str
    error: DevcredsError


@dataclass(frozen=True)
class Progress:
    accounts_done: int  # accounts whose roles are listed (or failed)
    accounts_total: int | None  # None while the account list is still being read
    calls: int  # calls sent, retries included
    retries: int  # calls sent again after a throttle or a 500


@dataclass(frozen=True)
class Listing:
    roles: list[Role]  # in the portal's order of accounts, then of roles
    accounts: int  # accounts the user can reach, failed ones included
    calls: int
    retries: int
    failures: list[Failure]
    # When the kept listing this is was made (devcreds.listcache); None: listed just now.
    listed_at: dt.datetime | None = None


def list_roles(
    portal: Portal,
    access_token: str,
    *,
    workers: int = WORKERS,
    deadline: float = DEADLINE,
    progress: Callable[[Progress], None] | None = None,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
    rng: random.Random | None = None,
) -> Listing:
    """Every account and role ``access_token`` reaches; see the module's notes."""
    run = _Run(clock, sleep, clock() + deadline, rng or random.Random(), progress)  # noqa: S311

    def roles_of(account: Account) -> list[str] | Failure:
        names: list[str] = []
        token: str | None = None
        try:
            while True:
                page, token = run.call(
                    partial(portal.roles_page, access_token, account.account_id, token)
                )
                names += page
                if token is None:
                    return names
        except AwsRefused as exc:  # still throttled at the deadline, or refused outright
            return Failure(account.account_id, account.name, exc)
        except _Stopped:
            return []
        except BaseException as exc:  # LoginRequired, a network failure: the run is over
            run.stop(exc)
            return []
        finally:
            run.report(done=1)

    accounts: list[Account] = []
    listed: list[Future[list[str] | Failure]] = []
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        next_token: str | None = None
        try:
            while True:  # the roles of a page's accounts are listed while the next page comes
                page, next_token = run.call(partial(portal.accounts_page, access_token, next_token))
                accounts += page
                listed += [pool.submit(roles_of, account) for account in page]
                if next_token is None:
                    break
        except BaseException as exc:
            run.stop(exc)  # the roles already asked for are given up
            raise
        run.report(total=len(accounts))
        answers = [future.result() for future in listed]
    if run.fatal is not None:
        raise run.fatal
    roles: list[Role] = []
    failures: list[Failure] = []
    for account, answer in zip(accounts, answers, strict=True):
        if isinstance(answer, Failure):
            failures.append(answer)
        else:
            roles += [Role(account.account_id, account.name, name) for name in answer]
    return Listing(roles, len(accounts), run.calls, run.retries, failures)


class _Stopped(Exception):
    """Another account's listing failed for good; this one gives up too."""


class _Pacer:
    """The AIMD rate of one listing's calls; thread-safe."""

    def __init__(self, clock: Callable[[], float], sleep: Callable[[float], None]) -> None:
        self._lock = threading.Lock()
        self._clock = clock
        self._sleep = sleep
        self.rate: float | None = None  # requests/s; None: unpaced until the first throttle
        self._next = 0.0  # when the next call may be sent
        self._cut_at = -math.inf  # when the rate was last cut
        self._accepted: deque[float] = deque()  # when the last WINDOW's accepted calls ended

    def turn(self) -> float:
        """Wait for a call's turn; returns when it may be sent (for ``throttled``)."""
        with self._lock:
            now = self._clock()
            if self.rate is None:
                return now
            slot = max(now, self._next)
            self._next = slot + 1 / self.rate
        if slot > now:
            self._sleep(slot - now)
        return slot

    def accepted(self) -> None:
        with self._lock:
            now = self._clock()
            self._accepted.append(now)
            while self._accepted and self._accepted[0] < now - WINDOW:
                self._accepted.popleft()
            if self.rate is not None:
                self.rate += INCREASE / self.rate

    def throttled(self, sent: float) -> None:
        with self._lock:
            if sent < self._cut_at:  # sent at the rate already cut: no second cut for it
                return
            now = self._clock()
            if self.rate is None:
                while self._accepted and self._accepted[0] < now - WINDOW:
                    self._accepted.popleft()
                self.rate = len(self._accepted) / WINDOW
            self.rate = max(MIN_RATE, self.rate * DECREASE)
            self._cut_at = now
            self._next = max(self._next, now + 1 / self.rate)


class _Run:
    """Counters, pacer and stop flag shared by the threads of one listing."""

    def __init__(
        self,
        clock: Callable[[], float],
        sleep: Callable[[float], None],
        deadline_at: float,
        rng: random.Random,
        progress: Callable[[Progress], None] | None,
    ) -> None:
        self._clock = clock
        self._sleep = sleep
        self._deadline_at = deadline_at
        self._rng = rng
        self._rng_lock = threading.Lock()
        self._progress = progress
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        self.pacer = _Pacer(clock, sleep)
        self.fatal: BaseException | None = None
        self.calls = 0
        self.retries = 0
        self._done = 0
        self._total: int | None = None

    def call(self, send: Callable[[], T]) -> T:
        """``send()``, paced, retried after a throttle until the deadline and once after a
        500; the last refusal raises."""
        attempt = 0
        faults = 0
        while True:
            if self._stopped.is_set():
                raise _Stopped
            sent = self.pacer.turn()
            self.report(calls=1)
            try:
                result = send()
            except Throttled:
                self.pacer.throttled(sent)
                if self._clock() >= self._deadline_at:
                    raise
            except ServerFault:
                faults += 1
                if faults >= FAULT_ATTEMPTS or self._clock() >= self._deadline_at:
                    raise
            else:
                self.pacer.accepted()
                return result
            attempt += 1
            self.report(retries=1)
            with self._rng_lock:
                delay = self._rng.uniform(0, min(BACKOFF_CAP, BACKOFF_BASE * 2**attempt))
            self._sleep(max(0.0, min(delay, self._deadline_at - self._clock())))

    def stop(self, exc: BaseException) -> None:
        with self._lock:
            if self.fatal is None:
                self.fatal = exc
        self._stopped.set()

    def report(
        self,
        *,
        calls: int = 0,
        retries: int = 0,
        done: int = 0,
        total: int | None = None,
    ) -> None:
        with self._lock:
            self.calls += calls
            self.retries += retries
            self._done += done
            if total is not None:
                self._total = total
            if self._progress is not None:
                self._progress(Progress(self._done, self._total, self.calls, self.retries))
