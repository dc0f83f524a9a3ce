"""SSO portal calls: role credentials, accounts and roles, logout."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from devcreds.cache import RoleCredentials
from devcreds.errors import AwsRefused, LoginRequired
from devcreds.sso.clients import NETWORK_HINT, Refused, call

# Items per page of ListAccounts and ListAccountRoles: the most the API takes, so that a
# throttled listing needs the fewest calls (300 accounts: 3 pages, not 15 of the default 20).
PAGE_SIZE = 100


@dataclass(frozen=True)
class Account:
    account_id: str
    name: str
    email: str


class Portal:
    def __init__(self, client: Any, login_hint: str) -> None:
        self._client = client
        self._login_hint = login_hint

    def _refused(self, exc: Refused) -> Exception:
        if exc.code == "UnauthorizedException":
            return LoginRequired(
                "the SSO session is no longer valid (logged out or expired)", hint=self._login_hint
            )
        if exc.code == "InternalServerException":
            return exc.as_error(hint=NETWORK_HINT)
        return exc.as_error()  # throttling gets its own hint there

    def role_credentials(
        self, access_token: str, account_id: str, role_name: str
    ) -> RoleCredentials:
        try:
            answer = call(
                self._client,
                "get_role_credentials",
                f"getting credentials for role {role_name} in account {account_id}",
                accessToken=access_token,
                accountId=account_id,
                roleName=role_name,
            )
        except Refused as exc:
            if exc.code == "ForbiddenException":
                raise AwsRefused(
                    f"you have no access to role {role_name} in account {account_id}",
                    hint="devcreds roles (lists the roles you can use)",
                ) from None
            raise self._refused(exc) from None
        credentials = answer["roleCredentials"]
        return RoleCredentials(
            access_key_id=credentials["accessKeyId"],
            secret_access_key=credentials["secretAccessKey"],
            session_token=credentials["sessionToken"],
            # Epoch milliseconds here (OIDC uses seconds).
            expiration=dt.datetime.fromtimestamp(credentials["expiration"] / 1000, dt.UTC),
            account_id=account_id,
        )

    def accounts_page(
        self, access_token: str, next_token: str | None = None
    ) -> tuple[list[Account], str | None]:
        """One page of ListAccounts and the token of the next (None after the last)."""
        answer = self._page("list_accounts", "listing accounts", access_token, next_token)
        accounts = [
            Account(a["accountId"], a.get("accountName", ""), a.get("emailAddress", ""))
            for a in answer.get("accountList", [])
        ]
        return accounts, answer.get("nextToken") or None

    def roles_page(
        self, access_token: str, account_id: str, next_token: str | None = None
    ) -> tuple[list[str], str | None]:
        """One page of ListAccountRoles of ``account_id`` and the token of the next."""
        answer = self._page(
            "list_account_roles",
            f"listing roles of account {account_id}",
            access_token,
            next_token,
            accountId=account_id,
        )
        roles = [r["roleName"] for r in answer.get("roleList", [])]
        return roles, answer.get("nextToken") or None

    def logout(self, access_token: str) -> None:
        try:
            call(self._client, "logout", "logging out", accessToken=access_token)
        except Refused as exc:
            if exc.code != "UnauthorizedException":  # already logged out is the goal reached
                raise self._refused(exc) from None

    def _page(
        self, operation: str, what: str, access_token: str, next_token: str | None, **params: Any
    ) -> dict[str, Any]:
        """One page, so that a caller retrying a throttled call repeats only that page."""
        if next_token is not None:
            params["nextToken"] = next_token
        params["maxResults"] = PAGE_SIZE
        try:
            return call(self._client, operation, what, accessToken=access_token, **params)
        except Refused as exc:
            raise self._refused(exc) from None
