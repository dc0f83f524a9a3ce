"""What a URL of devcreds serve asks for, and the URL a file gets written.

Two kinds of address:

- ``/account/ACCOUNT/role/ROLE``: a role as the whole team names it (the
  account id and the permission set), answered from whichever of the
  developer's own SSO sessions holds it. A file committed for a team names
  this, since profile names differ from one developer to the next.
  ``/portal/HOST/account/ACCOUNT/role/ROLE`` adds the host of the SSO start
  URL, for a developer whose config knows more than one portal.
- ``/profile/NAME``: a profile of the developer's own config (an assumed role
  has no team-wide name; files written before team addresses name these).
"""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass

from devcreds import awsconfig
from devcreds.awsconfig import AwsConfig
from devcreds.serve import state


@dataclass(frozen=True)
class Address:
    """A profile (``profile``) or a role of the team (``account_id``, ``role_name``)."""

    profile: str | None = None
    account_id: str = ""
    role_name: str = ""
    portal: str | None = None  # the start URL's host, where the developer knows several

    @property
    def path(self) -> str:
        if self.profile is not None:
            return f"/profile/{_segment(self.profile)}"
        where = f"/portal/{_segment(self.portal)}" if self.portal else ""
        return f"{where}/account/{_segment(self.account_id)}/role/{_segment(self.role_name)}"

    def __str__(self) -> str:
        if self.profile is not None:
            return f"profile {self.profile}"
        where = f" of {self.portal}" if self.portal else ""
        return f"role {self.role_name} in account {self.account_id}{where}"


def parse(path: str) -> Address | None:
    """The address a request path names; None for anything else."""
    try:
        parts = [urllib.parse.unquote(p, errors="strict") for p in path.split("/")[1:]]
    except UnicodeDecodeError:
        return None
    if not all(part and part.isprintable() for part in parts):
        return None
    if len(parts) == 2 and parts[0] == "profile":
        return Address(parts[1])
    portal = None
    if len(parts) == 6 and parts[0] == "portal":
        portal, parts = parts[1], parts[2:]
    if len(parts) == 4 and parts[0] == "account" and parts[2] == "role":
        return Address(account_id=parts[1], role_name=parts[3], portal=portal)
    return None


def url(address: Address, port: int = state.DEFAULT_PORT, host: str = state.HOST) -> str:
    """The URL for AWS_CONTAINER_CREDENTIALS_FULL_URI."""
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}{address.path}"


def for_profile(config: AwsConfig, name: str) -> Address:
    """The address a file written for profile ``name`` gets: the team's name for its role,
    with the portal only when this config knows more than one; a profile that assumes a
    role keeps its own name (nothing else names that role the same way for everyone)."""
    chain = awsconfig.credential_chain(config, name)
    if chain.hops:
        return Address(name)
    root = chain.root
    several = len({portal_of(s.start_url) for s in awsconfig.all_sso_sessions(config)}) > 1
    portal = portal_of(root.session.start_url) if several else None
    return Address(account_id=root.account_id, role_name=root.role_name, portal=portal)


def portal_of(start_url: str) -> str:
    """The host of a start URL, which tells one IAM Identity Center from another."""
    return (urllib.parse.urlsplit(start_url).hostname or start_url).lower()


def _segment(text: str) -> str:
    return urllib.parse.quote(text, safe="")
