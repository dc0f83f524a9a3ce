"""Options shared by several commands, spelled as the AWS CLI spells them."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from devcreds import awsconfig
from devcreds.cli.render import Output
from devcreds.errors import DevcredsError
from devcreds.paths import Paths


def _config() -> awsconfig.AwsConfig | None:
    """The user's AWS config file for shell completion; None when it cannot be read (a
    completion never prints an error into the user's command line)."""
    try:
        return awsconfig.load(Paths.from_environ(os.environ).config_file)
    except DevcredsError:
        return None


def complete_profile(incomplete: str) -> list[tuple[str, str]]:
    """Profile names of the config file, each with what it is (shown by zsh and fish)."""
    config = _config()
    if config is None:
        return []
    found = []
    for name, values in sorted(config.profiles.items()):
        if not name.startswith(incomplete):
            continue
        if "sso_account_id" in values:
            what = f"{values['sso_account_id']} {values.get('sso_role_name', '')}".strip()
        elif "role_arn" in values:
            what = values["role_arn"]
        else:
            what = ""
        found.append((name, what))
    return found


def complete_sso_session(incomplete: str) -> list[tuple[str, str]]:
    config = _config()
    if config is None:
        return []
    return [
        (name, values.get("sso_start_url", ""))
        for name, values in sorted(config.sso_sessions.items())
        if name.startswith(incomplete)
    ]


Profile = Annotated[
    str | None,
    typer.Option(
        "--profile",
        "-p",
        metavar="PROFILE",
        autocompletion=complete_profile,
        help="Profile in the AWS config file (default: $AWS_PROFILE, then default).",
    ),
]
SsoSessionName = Annotated[
    str | None,
    typer.Option(
        "--sso-session",
        metavar="NAME",
        autocompletion=complete_sso_session,
        help="An sso-session (section) of the AWS config file.",
    ),
]
Json = Annotated[bool, typer.Option("--json", help="Print JSON for scripts (--output json).")]
OutputFormat = Annotated[
    Output | None,
    typer.Option(
        "--output",
        metavar="FORMAT",
        case_sensitive=False,
        help="json, text (tab-separated, for scripts) or table; default: table on a terminal, "
        "text elsewhere.",
    ),
]
RefreshListing = Annotated[
    bool,
    typer.Option(
        "--refresh",
        help="List the accounts and roles again instead of using the listing kept from the "
        "last hours.",
    ),
]
AllowTracked = Annotated[
    bool,
    typer.Option(
        "--allow-tracked",
        help="Write even into a file git tracks (the secrets could be committed).",
    ),
]
