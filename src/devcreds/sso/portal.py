"""SSO portal calls: role credentials, accounts and roles, logout."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from devcreds.cache import RoleCredentials
from devcreds.errors import AwsRefused, LoginRequired
from devcreds.sso.clients import NETWORK_HINT, Refused, call, translating


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

    def accounts(self, access_token: str) -> list[Account]:
        pages = self._pages(
            "list_accounts", "listing accounts", "accountList", accessToken=access_token
        )
        return [
            Account(a["accountId"], a.get("accountName", ""), a.get("emailAddress", ""))
            for a in pages
        ]

    def roles(self, access_token: str, account_id: str) -> list[str]:
        pages = self._pages(
            "list_account_roles",
            f"listing roles of account {account_id}",
            "roleList",
            accessToken=access_token,
            accountId=account_id,
        )
        return [r["roleName"] for r in pages]

    def logout(self, access_token: str) -> None:
        try:
            call(self._client, "logout", "logging out", accessToken=access_token)
        except Refused as exc:
            if exc.code != "UnauthorizedException":  # already logged out is the goal reached
                raise self._refused(exc) from None

    def _pages(self, operation: str, what: str, key: str, **params: Any) -> list[dict[str, Any]]:
        """Every item of every page, through botocore's paginator."""
        try:
            with translating(what):
                pages = self._client.get_paginator(operation).paginate(**params)
                return [item for page in pages for item in page.get(key, [])]
        except Refused as exc:
            raise self._refused(exc) from None
