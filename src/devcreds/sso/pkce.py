"""Authorization code + PKCE as the AWS CLI v2 speaks it (docs/protocol.md §1.6).

The code verifier, the state and the redirect URI of one browser login, and the
authorize URL built in the CLI's parameter order and encoding. Stdlib only.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import string
from dataclasses import dataclass, field
from urllib.parse import quote, urlencode, urlsplit

AUTH_CODE_GRANT = "authorization_code"
# What the AWS CLI registers for its browser flow (SSOTokenFetcherAuth._AUTH_GRANT_TYPES).
GRANT_TYPES = (AUTH_CODE_GRANT, "refresh_token")
DEFAULT_SCOPES = ("sso:account:access",)
CALLBACK_PATH = "/oauth/callback"
# Registered without a port; /authorize and CreateToken carry the real one (RFC 8252 §7.3).
REGISTERED_REDIRECT_URI = f"http://127.0.0.1{CALLBACK_PATH}"
# RFC 7636 §4.1's unreserved characters; the CLI draws 64 of them.
_VERIFIER_ALPHABET = string.ascii_letters + string.digits + "-._~"


def redirect_uri(port: int) -> str:
    return f"http://127.0.0.1:{port}{CALLBACK_PATH}"


def challenge_of(verifier: str) -> str:
    """S256: base64url(sha256(verifier)) without padding."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


@dataclass(frozen=True)
class Pkce:
    """One login's secrets (never shown: repr names none of them) and its challenge."""

    verifier: str = field(repr=False)
    state: str = field(repr=False)

    @classmethod
    def new(cls) -> Pkce:
        verifier = "".join(secrets.choice(_VERIFIER_ALPHABET) for _ in range(64))
        return cls(verifier=verifier, state=secrets.token_urlsafe(32))

    @property
    def challenge(self) -> str:
        return challenge_of(self.verifier)

    def state_matches(self, returned: str) -> bool:
        return hmac.compare_digest(returned.encode(), self.state.encode())

    def authorize_url(
        self,
        endpoint_url: str,
        client_id: str,
        redirect: str,
        scopes: tuple[str, ...] | None,
    ) -> str:
        """The service's /authorize URL, at the root of the OIDC endpoint's host, with the
        parameters in the AWS CLI's order (``code_challenge`` last)."""
        parts = urlsplit(endpoint_url)
        params = {
            "response_type": "code",
            "client_id": client_id,
            "redirect_uri": redirect,
            "state": self.state,
            "code_challenge_method": "S256",
            "scopes": " ".join(scopes or DEFAULT_SCOPES),
        }
        query = urlencode(params, quote_via=quote, safe="-_.~")
        return f"{parts.scheme}://{parts.netloc}/authorize?{query}&code_challenge={self.challenge}"
