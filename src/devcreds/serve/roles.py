"""A role of the team (account id and permission set) from the developer's own SSO sessions.

GetRoleCredentials takes only the token, the account and the role, so no
profile is needed: any of the developer's SSO sessions that holds the role
answers. Sessions with one start URL are one IAM Identity Center, and any of
their tokens will do (the one with a cached token first). Where the config
knows several start URLs, each is asked; when more than one holds the role,
serve does not guess: ``Ambiguous`` names them and how to pick.
"""

from __future__ import annotations

import datetime as dt

from devcreds import awsconfig, cache
from devcreds.awsconfig import AwsConfig, SsoProfile, SsoSession
from devcreds.cache import RoleCredentials
from devcreds.credentials import Resolver
from devcreds.errors import Ambiguous, DevcredsError, LoginRequired, UsageError
from devcreds.serve.address import Address, portal_of


def role_credentials(
    config: AwsConfig, resolver: Resolver, address: Address, outlive: dt.datetime | None
) -> RoleCredentials:
    """Credentials of the role ``address`` names, from the one portal that holds it."""
    by_portal: dict[str, list[SsoSession]] = {}
    for session in awsconfig.all_sso_sessions(config):
        portal = portal_of(session.start_url)
        if address.portal is None or portal == address.portal.lower():
            by_portal.setdefault(portal, []).append(session)
    if not by_portal:
        where = f" for {address.portal}" if address.portal else ""
        raise UsageError(
            f"no SSO session{where} in {config.path} to get {address} from",
            hint="devcreds configure sso --sso-session NAME --start-url URL --sso-region REGION",
        )
    answers: dict[str, tuple[SsoSession, RoleCredentials]] = {}
    errors: list[DevcredsError] = []
    for portal, candidates in by_portal.items():
        session = _logged_in_first(resolver, candidates)
        profile = SsoProfile("", session, address.account_id, address.role_name, None)
        try:
            answers[portal] = (session, resolver.role_credentials(profile, outlive))
        except DevcredsError as exc:
            if len(by_portal) == 1:
                raise
            errors.append(exc)
    if len(answers) > 1:
        named = " and ".join(
            f"{session.label} ({portal})" for portal, (session, _) in sorted(answers.items())
        )
        choices = " or ".join(
            Address(None, address.account_id, address.role_name, portal).path
            for portal in sorted(answers)
        )
        raise Ambiguous(
            f"{address} is held by more than one of your SSO sessions: {named}",
            hint=f"name the portal in the file's URL: {choices}",
        )
    if answers:
        ((_, creds),) = answers.values()
        return creds
    # No portal holds it: a login that would help comes first, then the first refusal.
    errors.sort(key=lambda exc: not isinstance(exc, LoginRequired))
    raise errors[0]


def _logged_in_first(resolver: Resolver, candidates: list[SsoSession]) -> SsoSession:
    """Of one portal's sessions, one with a cached token (else the first)."""
    for session in candidates:
        token = cache.load_token(resolver.paths, session)
        if token is not None and token.start_url == session.start_url:
            return session
    return candidates[0]
