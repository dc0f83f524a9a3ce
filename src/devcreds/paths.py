"""Where devcreds and the AWS tools keep their files.

Built once from the environment by the CLI (or from explicit values by a
test) and passed down; nothing below reads ``os.environ`` for a path. The one
exception is botocore's own: ``$VAR`` (and on Windows ``%VAR%``) in the two
file variables is expanded against the process environment. The home folder
is the one botocore takes on the platform (``platforms``).

The records on the cached ``export`` path (this one, awsconfig's and cache's)
are NamedTuples, not dataclasses: importing ``dataclasses`` and building the
classes cost more than a bare Python start (measured with -X importtime).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple

from devcreds.platforms import HOST, Platform


class Paths(NamedTuple):
    home: Path
    config_file: Path
    credentials_file: Path

    @classmethod
    def from_environ(cls, environ: Mapping[str, str], platform: Platform = HOST) -> Paths:
        """The AWS CLI's rules: ``AWS_CONFIG_FILE``, ``AWS_SHARED_CREDENTIALS_FILE``, then
        variables and ``~`` expanded as botocore's configloader does."""
        home = Path(platform.home(environ))
        config = environ.get("AWS_CONFIG_FILE")
        credentials = environ.get("AWS_SHARED_CREDENTIALS_FILE")
        return cls(
            home=home,
            config_file=(
                Path(platform.expand(config, environ)) if config else home / ".aws" / "config"
            ),
            credentials_file=(
                Path(platform.expand(credentials, environ))
                if credentials
                else home / ".aws" / "credentials"
            ),
        )

    @property
    def sso_cache(self) -> Path:
        """Tokens and client registrations, shared with the AWS CLI and botocore."""
        return self.home / ".aws" / "sso" / "cache"

    @property
    def cli_cache(self) -> Path:
        """Role credentials, shared with the AWS CLI v2."""
        return self.home / ".aws" / "cli" / "cache"

    @property
    def state(self) -> Path:
        """devcreds' own files: locks and the record of what was written where."""
        return self.home / ".aws" / "devcreds"
