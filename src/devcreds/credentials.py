"""Profile → credentials: cached role credentials, else a valid token (renewed with its
refresh token when it is close to expiry), then GetRoleCredentials.

Renewal happens under a lock per SSO session; whoever waited re-reads the
cache afterwards and uses what the first process fetched. Nothing here is
interactive: when only a login can help, ``LoginRequired`` says so.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from devcreds import awsconfig, cache
from devcreds.awsconfig import AwsConfig, RoleHop, SsoProfile, SsoSession
from devcreds.cache import RoleCredentials, Token
from devcreds.errors import LoginRequired, NetworkError
from devcreds.paths import Paths
from devcreds.sso.clients import ClientFactory, Refused, call
from devcreds.sso.oidc import Oidc, TokenGrant
from devcreds.sso.portal import Portal

log = logging.getLogger(__name__)

Clock = Callable[[], dt.datetime]

# Answers to a refresh that mean the refresh token is dead: only a login helps.
_DEAD_REFRESH = {
    "InvalidGrantException",
    "InvalidClientException",
    "ExpiredTokenException",
    "AccessDeniedException",
    "UnauthorizedClientException",
}


def login_hint(session: SsoSession, profile: str | None = None) -> str:
    if profile:
        return f"devcreds login --profile {profile}"
    if session.name:
        return f"devcreds login --sso-session {session.name}"
    return "devcreds login --profile PROFILE"


@dataclass
class Resolver:
    paths: Paths
    clients: ClientFactory
    clock: Clock

    def _usable(self, cached: RoleCredentials, outlive: dt.datetime | None) -> bool:
        return cached.fresh(self.clock()) and (outlive is None or cached.expiration > outlive)

    def role_credentials(
        self, profile: SsoProfile, outlive: dt.datetime | None = None
    ) -> RoleCredentials:
        """Credentials with more than 15 minutes left (and expiring after ``outlive``, when
        given: serve renews ahead), fetching them only when needed."""
        cached = cache.load_role_credentials(self.paths, profile)
        if cached is not None and self._usable(cached, outlive):
            return cached
        with cache.session_lock(self.paths, profile.session):
            cached = cache.load_role_credentials(self.paths, profile)
            if cached is not None and self._usable(cached, outlive):
                return cached  # another process fetched them while we waited
            hint = login_hint(profile.session, profile.name)
            token = self._valid_token(profile.session, hint)
            portal = Portal(self.clients.client("sso", profile.session.region), hint)
            fetched = portal.role_credentials(
                token.access_token, profile.account_id, profile.role_name
            )
            cache.save_role_credentials(self.paths, profile, fetched)
            return fetched

    def profile_credentials(
        self, config: AwsConfig, name: str, outlive: dt.datetime | None = None
    ) -> RoleCredentials:
        """Credentials of any supported profile: an SSO role, then each AssumeRole of the chain."""
        chain = awsconfig.credential_chain(config, name)
        creds = self.role_credentials(chain.root, outlive if not chain.hops else None)
        region = chain.root.region or chain.root.session.region
        for hop in chain.hops:
            region = hop.region or region
            outlives = outlive if hop is chain.hops[-1] else None
            creds = self._assumed(
                hop, creds, region, login_hint(chain.root.session, name), outlives
            )
        return creds

    def _assumed(
        self,
        hop: RoleHop,
        source: RoleCredentials,
        region: str,
        hint: str,
        outlive: dt.datetime | None = None,
    ) -> RoleCredentials:
        """The hop's role credentials, from the AWS CLI's assume-role cache or from STS."""
        cached = cache.load_assumed_role(self.paths, hop)
        if cached is not None and self._usable(cached, outlive):
            return cached
        key = cache.assumed_role_path(self.paths, hop).stem
        with cache.named_lock(self.paths, f"role-{key}", hop.role_arn):
            cached = cache.load_assumed_role(self.paths, hop)
            if cached is not None and self._usable(cached, outlive):
                return cached
            arguments: dict[str, Any] = {
                "RoleArn": hop.role_arn,
                # botocore's own default name, left out of the cache key as botocore does.
                "RoleSessionName": hop.role_session_name or f"botocore-session-{int(time.time())}",
            }
            if hop.duration_seconds:
                arguments["DurationSeconds"] = hop.duration_seconds
            if hop.external_id:
                arguments["ExternalId"] = hop.external_id
            sts = self.clients.signed("sts", region, source)
            try:
                section = "default" if hop.name == "default" else f"profile {hop.name}"
                answer = call(
                    sts,
                    "assume_role",
                    f"assuming {hop.role_arn}",
                    config_section=section,
                    **arguments,
                )
            except Refused as exc:
                if exc.code in ("ExpiredToken", "InvalidClientTokenId"):
                    raise LoginRequired(
                        f"the credentials of {hop.source_profile} were refused by STS", hint=hint
                    ) from None
                raise exc.as_error(
                    hint=f"check that {hop.source_profile} may assume {hop.role_arn} "
                    "(its trust policy, external_id)"
                ) from None
            credentials = answer["Credentials"]
            assumed = RoleCredentials(
                access_key_id=credentials["AccessKeyId"],
                secret_access_key=credentials["SecretAccessKey"],
                session_token=credentials["SessionToken"],
                expiration=credentials["Expiration"],
            )
            cache.save_assumed_role(self.paths, hop, assumed, answer["AssumedRoleUser"]["Arn"])
            return assumed

    def access_token(self, session: SsoSession, hint: str) -> Token:
        """A token that works for at least a while, renewed if it is close to expiry."""
        token = self._cached_token(session)
        if token is not None and token.fresh(self.clock()):
            return token
        with cache.session_lock(self.paths, session):
            return self._valid_token(session, hint)

    def _cached_token(self, session: SsoSession) -> Token | None:
        token = cache.load_token(self.paths, session)
        if token is not None and token.start_url != session.start_url:
            log.debug("token cache of %s is for another start URL; ignoring it", session.label)
            return None
        return token

    def _valid_token(self, session: SsoSession, hint: str) -> Token:
        """Call with the session lock held."""
        now = self.clock()
        token = self._cached_token(session)
        if token is None:
            raise LoginRequired(f"not logged in to {session.label}", hint=hint)
        if token.fresh(now):
            return token
        if token.refreshable(now):
            try:
                return self._refresh(session, token)
            except Refused as exc:
                if exc.code not in _DEAD_REFRESH:
                    if token.expires_at > now:  # a passing fault: the token still works
                        return token
                    raise exc.as_error(hint=hint) from None
                log.debug("refresh of %s refused (%s)", session.label, exc.code)
                # A dead refresh token is dropped, so no tool (nor status) counts on it again.
                token = token._replace(refresh_token=None)
                cache.save_token(self.paths, session, token)
            except NetworkError:
                if token.expires_at > now:  # botocore's rule: keep a live token if renewal fails
                    return token
                raise
        if token.expires_at > now:
            return token
        raise LoginRequired(f"the SSO session for {session.label} has expired", hint=hint)

    def _refresh(self, session: SsoSession, token: Token) -> Token:
        oidc = Oidc(self.clients.client("sso-oidc", session.region))
        grant: TokenGrant = oidc.refresh(
            token.client_id or "", token.client_secret or "", token.refresh_token or ""
        )  # refreshable() checked all three
        renewed = Token(
            start_url=token.start_url,
            region=token.region,
            access_token=grant.access_token,
            expires_at=self.clock() + dt.timedelta(seconds=grant.expires_in),
            client_id=token.client_id,
            client_secret=token.client_secret,
            registration_expires_at=token.registration_expires_at,
            # Rotated: the old refresh token no longer works. No new one, no further renewal.
            refresh_token=grant.refresh_token,
        )
        cache.save_token(self.paths, session, renewed)
        log.debug("renewed the SSO token of %s with its refresh token", session.label)
        return renewed
