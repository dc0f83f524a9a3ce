"""What every command needs, built once from the process environment.

The process environment is read here (and by the entry point, for the fast path), then
passed down: the flows below take what they need as arguments.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property

from devcreds import awsconfig, cache, fastpath
from devcreds.awsconfig import AwsConfig, SsoSession
from devcreds.cache import RoleCredentials
from devcreds.credentials import Resolver
from devcreds.paths import Paths
from devcreds.platforms import HOST, Platform
from devcreds.sso.clients import ClientFactory


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass
class Context:
    environ: Mapping[str, str]
    explicit_profile: str | None = None
    clock: Callable[[], dt.datetime] = utc_now
    sleep: Callable[[float], None] = time.sleep
    platform: Platform = HOST
    paths: Paths = field(init=False)

    def __post_init__(self) -> None:
        self.paths = Paths.from_environ(self.environ, self.platform)

    @classmethod
    def from_process(cls, profile: str | None) -> Context:
        return cls(os.environ, profile)

    @property
    def profile(self) -> str:
        """--profile, else AWS_PROFILE, else default: the AWS CLI's order."""
        return self.explicit_profile or self.environ.get("AWS_PROFILE") or "default"

    @cached_property
    def config(self) -> AwsConfig:
        return awsconfig.load(self.paths.config_file, credentials_file=self.paths.credentials_file)

    @cached_property
    def clients(self) -> ClientFactory:
        # botocore reads [services] endpoint settings from the profile, if it exists.
        return ClientFactory(self.profile if self.profile in self.config.profiles else None)

    @cached_property
    def resolver(self) -> Resolver:
        return Resolver(self.paths, self.clients, self.clock)

    def session(self, sso_session: str | None) -> SsoSession:
        """--sso-session if given, else the session of the profile."""
        if sso_session:
            return awsconfig.sso_session(self.config, sso_session)
        if self.config.profiles.get(self.profile, {}).get("source_profile"):
            # A role assumed from an SSO profile: its login is its root's.
            return awsconfig.credential_chain(self.config, self.profile).root.session
        return awsconfig.profile_session(self.config, self.profile)

    def profile_credentials(self, outlive: dt.datetime | None = None) -> RoleCredentials:
        """The profile's role credentials, never interactive; leaves the fast path its note.
        ``outlive``: they must expire after this instant (serve renews ahead)."""
        creds = self.resolver.profile_credentials(self.config, self.profile, outlive)
        chain = awsconfig.credential_chain(self.config, self.profile)
        cache_file = (
            cache.assumed_role_path(self.paths, chain.hops[-1])
            if chain.hops
            else cache.role_credentials_path(self.paths, chain.root)
        )
        fastpath.remember(self.paths, self.environ, self.profile, str(cache_file), self.platform)
        return creds

    @property
    def interactive(self) -> bool:
        """A person is at the keyboard: stdin and stderr are terminals. stdout may be a pipe,
        as in ``eval "$(devcreds export …)"``, where the login talks on stderr. An SDK's
        credential_process never counts: botocore, the AWS CLI and the JavaScript SDK all
        give it a piped stderr."""
        return sys.stdin.isatty() and sys.stderr.isatty()
