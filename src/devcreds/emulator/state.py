"""Everything the emulated Identity Center remembers, behind one lock.

Plain records plus a few helpers that need the clock or the random source;
the rules of each service live in ``oidc.py``, ``portal.py`` and ``sts.py``.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import string
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from devcreds.emulator.config import EmulatorConfig
from devcreds.emulator.directory import Account, build_directory

Clock = Callable[[], float]

# The user every login signs in as; the emulator has one identity store user.
USER_NAME = "developer"

# RFC 8628 §6.1: user codes from consonants only, so no word or look-alike digit appears.
_USER_CODE_ALPHABET = "BCDFGHJKLMNPQRSTVWXZ"
_KEY_ALPHABET = string.ascii_uppercase + "234567"


@dataclass
class Registration:
    client_id: str
    client_secret: str = field(repr=False)
    scopes: tuple[str, ...]
    grant_types: frozenset[str]
    redirect_uris: tuple[str, ...]
    issued_at: int
    expires_at: int


@dataclass
class DeviceAuthorization:
    device_code: str = field(repr=False)
    user_code: str
    client_id: str
    start_url: str
    expires_at: float
    status: str = "pending"  # pending | approved | denied | redeemed
    last_poll: float | None = None


@dataclass
class AuthRequest:
    """A browser authorize request waiting for Allow or Deny."""

    request_id: str
    client_id: str
    redirect_uri: str
    state: str
    challenge: str
    scopes: tuple[str, ...]
    expires_at: float


@dataclass
class AuthCode:
    code: str = field(repr=False)
    client_id: str
    redirect_uri: str
    challenge: str
    scopes: tuple[str, ...]
    expires_at: float
    session_id: str | None = None  # set once redeemed; a replay revokes that session


@dataclass
class Session:
    """A signed-in portal session: access and refresh tokens hang off it."""

    session_id: str
    client_id: str
    scopes: tuple[str, ...]
    expires_at: float
    revoked: bool = False


@dataclass
class AccessToken:
    session: Session
    expires_at: float


@dataclass
class RefreshToken:
    session: Session
    client_id: str
    used: bool = False


@dataclass
class IssuedCredentials:
    """Credentials the emulator handed out, so STS can tell who is calling."""

    access_key_id: str
    secret_access_key: str = field(repr=False)
    session_token: str = field(repr=False)
    account_id: str
    arn: str
    user_id: str
    expires_at: float
    external_id: str | None = None  # as AWS records it for the role session (CloudTrail)
    # Issued by AssumeRole to a caller that was itself a role session (role chaining): the
    # federation endpoint refuses SessionDuration for these, as AWS does.
    chained: bool = False


@dataclass
class SigninToken:
    """A console sign-in token from the federation endpoint's getSigninToken."""

    token: str = field(repr=False)
    credentials: IssuedCredentials
    expires_at: float  # of the token: the login URL must be opened before this
    session_duration: int | None  # the console session's, when SessionDuration was given


class State:
    def __init__(self, config: EmulatorConfig, clock: Clock) -> None:
        self.config = config
        self.clock = clock
        self.lock = threading.Lock()
        self.directory: dict[str, Account] = build_directory(
            config.accounts, config.roles_per_account
        )
        self.registrations: dict[str, Registration] = {}
        self.devices: dict[str, DeviceAuthorization] = {}  # by device code
        self.user_codes: dict[str, DeviceAuthorization] = {}
        self.auth_requests: dict[str, AuthRequest] = {}
        self.auth_codes: dict[str, AuthCode] = {}
        self.access_tokens: dict[str, AccessToken] = {}
        self.refresh_tokens: dict[str, RefreshToken] = {}
        self.sessions: dict[str, Session] = {}
        self.credentials: dict[str, IssuedCredentials] = {}
        self.signin_tokens: dict[str, SigninToken] = {}
        self.calls: Counter[str] = Counter()  # AWS operation -> calls received
        self.grants: Counter[str] = Counter()  # CreateToken grant type -> calls handled
        # Start URLs clients sent: StartDeviceAuthorization's startUrl, RegisterClient's issuerUrl
        # (what a vanity start URL resolves to, when the client resolves it).
        self.start_urls: Counter[str] = Counter()
        self.vanity_redirects = 0

    def now(self) -> float:
        return self.clock()

    @staticmethod
    def token(prefix: str, nbytes: int = 48) -> str:
        return prefix + secrets.token_urlsafe(nbytes)

    def new_user_code(self) -> str:
        while True:
            raw = "".join(secrets.choice(_USER_CODE_ALPHABET) for _ in range(8))
            code = f"{raw[:4]}-{raw[4:]}"
            if code not in self.user_codes:
                return code

    def issue_credentials(
        self,
        *,
        account_id: str,
        arn: str,
        role_id: str,
        lifetime: int,
        external_id: str | None = None,
        chained: bool = False,
    ) -> IssuedCredentials:
        """New temporary credentials; ``role_id`` prefixes the caller's ``UserId``."""
        key_id = "ASIA" + "".join(secrets.choice(_KEY_ALPHABET) for _ in range(16))
        issued = IssuedCredentials(
            access_key_id=key_id,
            # Real-shaped: base64 with '+', '/' and '=', so quoting bugs show up here first.
            secret_access_key=base64.b64encode(secrets.token_bytes(30)).decode(),
            session_token=base64.b64encode(secrets.token_bytes(250)).decode(),
            account_id=account_id,
            arn=arn,
            user_id=f"{role_id}:{arn.rsplit('/', 1)[-1]}",
            expires_at=self.now() + lifetime,
            external_id=external_id,
            chained=chained,
        )
        self.credentials[key_id] = issued
        return issued


def role_id(account_id: str, role_name: str) -> str:
    """A stable ``AROA…`` id for a role, as IAM shows in ``UserId``."""
    digest = hashlib.sha256(f"{account_id}/{role_name}".encode()).hexdigest().upper()
    return "AROA" + "".join(c for c in digest if c in _KEY_ALPHABET)[:17]
