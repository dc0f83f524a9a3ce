"""``devcreds demo``: the job end to end on the embedded emulator, in a throwaway home.

Today it shows the Identity Center side: a device login, the accounts and
roles, role credentials and the identity STS sees, all through boto3 as an
ordinary AWS client would do it.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from rich.table import Table

from devcreds.cli import render
from devcreds.emulator import Emulator, EmulatorConfig, running

START_URL = "https://d-0123456789.awsapps.com/start"


def _masked(secret: str) -> str:
    return f"{secret[:4]}…({len(secret)} chars)"


def demo() -> None:
    """Run a device login and fetch credentials against the embedded emulator."""
    with tempfile.TemporaryDirectory(prefix="devcreds-demo-") as home:
        # Nothing of the user's AWS setup may leak in, nor anything of ours out.
        for name in [n for n in os.environ if n.startswith("AWS_")]:
            del os.environ[name]
        os.environ["AWS_CONFIG_FILE"] = str(Path(home, "config"))
        os.environ["AWS_SHARED_CREDENTIALS_FILE"] = str(Path(home, "credentials"))
        with running(Emulator(EmulatorConfig(auto_approve=True))) as server:
            _walk_through(server.url)


def _walk_through(url: str) -> None:
    import boto3  # heavy; only this command needs it

    out = render.stdout
    out.print(f"[bold]IAM Identity Center emulator[/] listening on {url}")
    session = boto3.session.Session(region_name="us-east-1")
    oidc = session.client("sso-oidc", endpoint_url=url)
    portal = session.client("sso", endpoint_url=url)

    client = oidc.register_client(
        clientName="devcreds-demo", clientType="public", scopes=["sso:account:access"]
    )
    out.print(f"1. RegisterClient       client {client['clientId'][:12]}…")
    device = oidc.start_device_authorization(
        clientId=client["clientId"], clientSecret=client["clientSecret"], startUrl=START_URL
    )
    out.print(
        f"2. Device authorization open {device['verificationUriComplete']} "
        f"(auto-approved here), code {device['userCode']}"
    )
    token = oidc.create_token(
        clientId=client["clientId"],
        clientSecret=client["clientSecret"],
        grantType="urn:ietf:params:oauth:grant-type:device_code",
        deviceCode=device["deviceCode"],
    )
    out.print(
        f"3. CreateToken            access token {_masked(token['accessToken'])}, "
        f"{token['expiresIn']} s, refresh token {'yes' if 'refreshToken' in token else 'no'}"
    )

    table = Table("account", "name", "roles")
    accounts: list[Any] = []
    for page in portal.get_paginator("list_accounts").paginate(accessToken=token["accessToken"]):
        accounts.extend(page["accountList"])
    for account in accounts:
        roles = [
            role["roleName"]
            for page in portal.get_paginator("list_account_roles").paginate(
                accessToken=token["accessToken"], accountId=account["accountId"]
            )
            for role in page["roleList"]
        ]
        table.add_row(account["accountId"], account["accountName"], ", ".join(roles))
    out.print("4. ListAccounts / ListAccountRoles")
    out.print(table)

    creds = portal.get_role_credentials(
        accessToken=token["accessToken"], accountId="111111111111", roleName="Developer"
    )["roleCredentials"]
    out.print(
        f"5. GetRoleCredentials     {creds['accessKeyId']}, secret "
        f"{_masked(creds['secretAccessKey'])}, expires at {creds['expiration']} ms"
    )
    sts = session.client(
        "sts",
        endpoint_url=url,
        aws_access_key_id=creds["accessKeyId"],
        aws_secret_access_key=creds["secretAccessKey"],
        aws_session_token=creds["sessionToken"],
    )
    out.print(f"6. GetCallerIdentity      {sts.get_caller_identity()['Arn']}")
    out.print(
        "\nRun your own: [bold]devcreds emulator --auto-approve[/], then point any AWS client "
        "at it with [bold]AWS_ENDPOINT_URL=<the printed address>[/]."
    )
