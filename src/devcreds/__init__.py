"""devcreds: AWS IAM Identity Center credentials for developers.

This module stays light on purpose: ``devcreds export`` is called by SDKs as a
``credential_process`` many times an hour, and everything imported here is
paid for on that path.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
