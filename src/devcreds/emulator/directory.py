"""The emulated organisation: accounts and the roles the user may take in each.

Deterministic, so docs and scripts can name ``111111111111`` / ``Developer``.
"""

from __future__ import annotations

from dataclasses import dataclass

_NAMED_ACCOUNTS = (("111111111111", "dev"), ("222222222222", "staging"), ("333333333333", "prod"))
_NAMED_ROLES = ("Developer", "ReadOnly")


@dataclass(frozen=True)
class Account:
    account_id: str
    name: str
    roles: tuple[str, ...]

    @property
    def email(self) -> str:
        return f"aws+{self.name}@example.com"


def build_directory(accounts: int, roles_per_account: int) -> dict[str, Account]:
    """``accounts`` accounts in a stable order, each with ``roles_per_account`` roles."""
    roles = tuple(
        _NAMED_ROLES[i] if i < len(_NAMED_ROLES) else f"Role{i + 1:02d}"
        for i in range(roles_per_account)
    )
    directory: dict[str, Account] = {}
    for i in range(accounts):
        if i < len(_NAMED_ACCOUNTS):
            account_id, name = _NAMED_ACCOUNTS[i]
        else:
            account_id, name = f"{400000000000 + i:012d}", f"account-{i + 1:03d}"
        directory[account_id] = Account(account_id, name, roles)
    return directory
