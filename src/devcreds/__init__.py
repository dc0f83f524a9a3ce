"""devcreds: AWS IAM Identity Center credentials for developers.

This module stays light on purpose: ``devcreds export`` is called by SDKs as a
``credential_process`` many times an hour, and everything imported here is
paid for on that path.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = [
    "ClientSettings",
    "SettingsError",
    "__version__",
    "create_async_client",
    "create_client",
    "create_session",
]

TYPE_CHECKING = False  # as typing.TYPE_CHECKING, without importing typing (export's fast path)
if TYPE_CHECKING:
    from typing import Any

    from devcreds.library import (
        ClientSettings,
        SettingsError,
        create_async_client,
        create_client,
        create_session,
    )


def __getattr__(name: str) -> Any:
    # The library loads pydantic and boto3; `import devcreds` must not (export's fast path).
    if name in __all__ and name != "__version__":
        from devcreds import library

        return getattr(library, name)
    raise AttributeError(f"module 'devcreds' has no attribute {name!r}")
