"""Credentials per address (a role of the team, or a profile) for serve: held in
memory, renewed ahead of expiry.

SDKs refresh container credentials from 5 minutes (botocore: 15) before they
expire, so what serve hands out must have well over that left: it renews an
address once less than ``ahead`` remains (20 minutes, or half the lifetime of
credentials that live shorter), in the background, so requests rarely wait.
Renewal goes through the same resolver, caches and locks as ``export``; one
renewal per address at a time, and whoever asks meanwhile waits for it.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from devcreds.cache import RoleCredentials
from devcreds.errors import DevcredsError, UsageError
from devcreds.serve.address import Address

# Fetch the credentials an address names; they must expire after the instant, when given.
Fetch = Callable[[Address, dt.datetime | None], RoleCredentials]
Clock = Callable[[], dt.datetime]
Log = Callable[[str], None]

AHEAD = dt.timedelta(minutes=20)
# Credentials this close to expiry are not handed out while a renewal could still help.
LAST_RESORT = dt.timedelta(minutes=1)
_NONE = dt.timedelta(0)


def ahead(lifetime: dt.timedelta) -> dt.timedelta:
    """How long before expiry a renewal is due: 20 minutes, or half of a shorter lifetime."""
    return min(AHEAD, lifetime / 2)


@dataclass
class _Entry:
    lock: threading.Lock = field(default_factory=threading.Lock)
    creds: RoleCredentials | None = None
    lifetime: dt.timedelta = AHEAD * 3  # until known: what an hour-long session has
    failing: str | None = None  # the last renewal's error, said once

    def due(self, now: dt.datetime) -> bool:
        return self.creds is None or self.creds.expiration - now < ahead(self.lifetime)


class Supply:
    def __init__(self, fetch: Fetch, clock: Clock, log: Log) -> None:
        self._fetch = fetch
        self._clock = clock
        self._log = log
        self._entries: dict[Address, _Entry] = {}
        self._guard = threading.Lock()

    def addresses(self) -> list[Address]:
        with self._guard:
            return list(self._entries)

    def get(self, wanted: Address) -> RoleCredentials:
        """Credentials with more than ``ahead`` left, renewing them first if needed."""
        with self._guard:
            entry = self._entries.setdefault(wanted, _Entry())
        with entry.lock:
            if not entry.due(self._clock()):
                assert entry.creds is not None
                return entry.creds
            try:
                return self._renew(wanted, entry)
            except UsageError:
                with self._guard:  # an unknown profile or role leaves nothing behind
                    if entry.creds is None:
                        self._entries.pop(wanted, None)
                raise
            except DevcredsError:
                if entry.creds is not None and entry.creds.expiration - self._clock() > LAST_RESORT:
                    return entry.creds  # still valid: the SDK comes back before it expires
                raise

    def renew_due(self, within: dt.timedelta) -> None:
        """Renew each address served so far that falls due within ``within`` (background)."""
        for wanted in self.addresses():
            with self._guard:
                entry = self._entries.get(wanted)
            if entry is None or not entry.lock.acquire(blocking=False):
                continue  # a request is renewing it right now
            try:
                if entry.due(self._clock() + within):
                    self._renew(wanted, entry)
            except DevcredsError:
                pass  # said by _renew; the next cycle (or request) tries again
            finally:
                entry.lock.release()

    def _renew(self, wanted: Address, entry: _Entry) -> RoleCredentials:
        now = self._clock()
        try:
            # Cached ones that would fall due at once are skipped; fetched ones are taken as
            # they come (credentials that live shorter than ``ahead`` are still the answer).
            creds = self._fetch(wanted, now + ahead(entry.lifetime))
        except DevcredsError as exc:
            if entry.failing != exc.message:
                hint = f" ({exc.hint})" if exc.hint else ""
                self._log(f"cannot renew the credentials of {wanted}: {exc.message}{hint}")
                entry.failing = exc.message
            raise
        if entry.failing is not None:
            self._log(f"renewed the credentials of {wanted} again")
            entry.failing = None
        # What is left is the lifetime, or less (credentials from a cache): never more.
        entry.lifetime = max(
            creds.expiration - now, creds.lifetime or _NONE, dt.timedelta(seconds=1)
        )
        entry.creds = creds
        return creds
