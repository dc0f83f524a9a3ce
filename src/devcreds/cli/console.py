"""``devcreds console``: the AWS console in the browser, signed in with a profile's
credentials (``devcreds.console`` says how)."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from devcreds import awsconfig
from devcreds import console as federation
from devcreds.cli import render
from devcreds.cli.context import Context
from devcreds.cli.options import Profile
from devcreds.cli.signin import credentials_for
from devcreds.cli.ui import open_browser
from devcreds.errors import UsageError


def console(
    profile: Profile = None,
    print_url: Annotated[
        bool,
        typer.Option(
            "--print",
            help="Print the sign-in URL on stdout instead of opening a browser. It signs in "
            f"whoever opens it for {federation.LOGIN_URL_MINUTES} minutes: keep it out of "
            "logs, chats and tickets (devcreds never logs it, not even with --debug).",
        ),
    ] = False,
    destination: Annotated[
        str | None,
        typer.Option(
            "--destination",
            metavar="URL|PATH",
            help="The console page to open: a URL, or a path on the region's console such "
            "as /s3/home (default: the console home of the region).",
        ),
    ] = None,
    region: Annotated[
        str | None,
        typer.Option(
            "--region", metavar="REGION", help="The console's region (default: the profile's)."
        ),
    ] = None,
) -> None:
    """Open the AWS console signed in with the profile's credentials (an SSO role, or a role
    assumed from one), through the AWS federation endpoint.

    The console session lasts as long as the credentials. With AWS_ENDPOINT_URL set (an
    emulator), the sign-in goes to AWS_ENDPOINT_URL/federation, never to AWS;
    DEVCREDS_FEDERATION_ENDPOINT names the endpoint outright.

    Examples:

    \b
      devcreds console -p dev
      devcreds console -p deploy --region eu-west-1 --destination /s3/home
      devcreds console -p dev --print        # the sign-in link, to open elsewhere
    """
    ctx = Context.from_process(profile)
    # Everything that can be wrong with the request is checked before a login is asked for.
    chain = awsconfig.credential_chain(ctx.config, ctx.profile)
    region = region or awsconfig.profile_region(ctx.config, ctx.profile)
    sso_region = chain.root.session.region
    endpoint = federation.endpoint(
        ctx.environ, _profile_values(ctx), f"[profile {ctx.profile}]", region, sso_region
    )
    page = federation.destination(region, destination, sso_region)
    creds = credentials_for(ctx)
    url = federation.login_url(
        creds,
        endpoint=endpoint,
        destination=page,
        # Where the console sends a person whose session ended: back to the access portal.
        issuer=chain.root.session.start_url,
        whose=f"profile {ctx.profile}",
        refused_hint=f"devcreds whoami --profile {ctx.profile} shows whether AWS accepts them",
        ca_bundle=awsconfig.ca_bundle(ctx.config, ctx.profile, ctx.environ),
    )
    if print_url:
        sys.stdout.write(url + "\n")
        return
    if not open_browser(url):
        raise UsageError(
            "no web browser could be opened",
            hint=f"devcreds console --profile {ctx.profile} --print (prints the link to open)",
        )
    render.stderr.print(
        f"The AWS console for profile {ctx.profile} is opening in your browser.", markup=False
    )


def _profile_values(ctx: Context) -> dict[str, str]:
    return dict(ctx.config.profiles.get(ctx.profile, {}))
