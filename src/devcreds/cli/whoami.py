"""``devcreds whoami``: who the profile's credentials are, as STS says (GetCallerIdentity),
with the account's name when a kept listing knows it."""

from __future__ import annotations

import re
import sys

from devcreds import awsconfig, listcache
from devcreds.cli import render
from devcreds.cli.context import Context
from devcreds.cli.options import Json, Profile
from devcreds.cli.signin import credentials_for
from devcreds.sso.clients import Refused, call

_ASSUMED_ROLE = re.compile(r"^arn:[^:]+:sts::\d{12}:assumed-role/(?P<role>[^/]+)/")
# IAM Identity Center's roles are AWSReservedSSO_<permission set>_<16 hex digits>.
_SSO_ROLE = re.compile(r"^AWSReservedSSO_(?P<permission_set>.+)_[0-9a-f]{16}$")


def whoami(profile: Profile = None, as_json: Json = False) -> None:
    """Show the account, role, ARN and user id of the profile's credentials (STS
    GetCallerIdentity); the account's name too if `devcreds roles` has kept a listing.

    Example: devcreds whoami -p dev --json | jq -r .Account
    """
    ctx = Context.from_process(profile)
    chain = awsconfig.credential_chain(ctx.config, ctx.profile)
    creds = credentials_for(ctx)
    region = awsconfig.profile_region(ctx.config, ctx.profile) or chain.root.session.region
    sts = ctx.clients.signed("sts", region, creds)
    what = f"GetCallerIdentity for profile {ctx.profile}"
    try:
        identity = call(sts, "get_caller_identity", what)
    except Refused as exc:
        raise exc.as_error(
            hint=f"devcreds logout --profile {ctx.profile}, then devcreds login --profile "
            f"{ctx.profile} (the cached credentials are deleted and fetched anew)"
        ) from None
    account_id = str(identity["Account"])
    arn = str(identity["Arn"])
    # Only a listing kept by roles/configure: whoami never lists accounts itself.
    kept = listcache.load(ctx.paths, chain.root.session, ctx.clock())
    names = {r.account_id: r.account_name for r in kept.roles} if kept is not None else {}
    result = {
        "Profile": ctx.profile,
        "Account": account_id,
        "AccountName": names.get(account_id),
        "RoleName": role_name(arn),
        "Arn": arn,
        "UserId": str(identity["UserId"]),
    }
    if as_json:
        render.json_out(result)
        return
    account = f"{account_id} ({result['AccountName']})" if result["AccountName"] else account_id
    rows = [
        ("profile", ctx.profile),
        ("account", account),
        ("role", result["RoleName"] or "-"),
        ("arn", arn),
        ("user id", result["UserId"]),
    ]
    sys.stdout.write("".join(f"{label:<8} {value}\n" for label, value in rows))


def role_name(arn: str) -> str | None:
    """The role of an assumed-role ARN; for IAM Identity Center's own roles, the permission
    set's name, as the access portal shows it."""
    match = _ASSUMED_ROLE.match(arn)
    if match is None:
        return None
    role = match["role"]
    sso = _SSO_ROLE.match(role)
    return sso["permission_set"] if sso else role
