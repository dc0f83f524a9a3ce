"""Options shared by several commands, spelled as the AWS CLI spells them."""

from __future__ import annotations

from typing import Annotated

import typer

Profile = Annotated[
    str | None,
    typer.Option(
        "--profile", help="Profile in the AWS config file (default: $AWS_PROFILE, then default)."
    ),
]
SsoSessionName = Annotated[
    str | None, typer.Option("--sso-session", help="An [sso-session] of the AWS config file.")
]
Json = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]
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
