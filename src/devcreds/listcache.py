"""The last complete listing of an SSO session's accounts and roles, kept so that ``roles``,
the pickers and ``configure populate`` need not list hundreds of accounts each time.

One file per SSO session, ``~/.aws/devcreds/listings/<token key>.json`` (the key of the
session's token file), 0600 in a 0700 folder. It holds account ids, account names and role
names, never a token. A listing serves for ``LIFETIME``; one made for another start URL
(the session now points at another directory) counts as absent. A login removes it, since
the person or the directory may have changed, and so does a logout. A listing with failed
accounts is not kept: the next command lists again.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from devcreds import cache
from devcreds.awsconfig import SsoSession
from devcreds.listing import Listing, Role
from devcreds.paths import Paths

# Role assignments change seldom; a new one shows after --refresh, a login or this long
# (the default length of an IAM Identity Center session).
LIFETIME = dt.timedelta(hours=8)
VERSION = 1


def folder(paths: Paths) -> Path:
    return paths.state / "listings"


def path(paths: Paths, session: SsoSession) -> Path:
    return folder(paths) / f"{session.token_key}.json"


def load(paths: Paths, session: SsoSession, now: dt.datetime) -> Listing | None:
    """The kept listing of ``session`` (with its ``listed_at``), or None when there is none
    still valid for it."""
    data = cache.read_json(path(paths, session))
    if data is None or data.get("version") != VERSION or data.get("startUrl") != session.start_url:
        return None
    try:
        listed_at = cache.parse_timestamp(data["listedAt"])
        roles = [_role(row) for row in data["roles"]]
        accounts = int(data["accounts"])
    except (KeyError, TypeError, ValueError):
        return None  # damaged: as if absent, and replaced by the next listing
    if not dt.timedelta(0) <= now - listed_at < LIFETIME:
        return None  # a listing "from the future" means the clock moved: list again
    return Listing(roles, accounts, calls=0, retries=0, failures=[], listed_at=listed_at)


def save(paths: Paths, session: SsoSession, listing: Listing, now: dt.datetime) -> bool:
    """Keep ``listing`` if it is complete; True if kept."""
    if listing.failures:
        return False
    data: dict[str, Any] = {
        "version": VERSION,
        "startUrl": session.start_url,
        "listedAt": cache.format_timestamp(now),
        "accounts": listing.accounts,
        "roles": [
            {"accountId": r.account_id, "accountName": r.account_name, "roleName": r.role_name}
            for r in listing.roles
        ],
    }
    cache.write_json(path(paths, session), data)
    return True


def forget(paths: Paths, session: SsoSession) -> bool:
    return cache.remove(path(paths, session))


def _role(row: Any) -> Role:
    values = (row["accountId"], row["accountName"], row["roleName"])
    if not all(isinstance(value, str) for value in values):
        raise TypeError("not a role")
    return Role(*values)
