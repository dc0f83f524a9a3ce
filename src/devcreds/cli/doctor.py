"""``devcreds doctor``: why credentials would fail, one line per check, with the fix."""

from __future__ import annotations

from devcreds import doctor as checks
from devcreds.cli import render
from devcreds.cli.context import Context
from devcreds.cli.options import Json, Profile

_MARK = {checks.OK: "ok", checks.INFO: "info", checks.WARN: "warn", checks.FAIL: "FAIL"}


def doctor(profile: Profile = None, as_json: Json = False) -> None:
    """Check what a profile's credentials depend on: the config files, the profile and its
    sso-session, region, endpoint and proxy settings, the token and its renewal, cached
    credentials, this computer's clock against IAM Identity Center's, cache permissions,
    the files devcreds wrote and serve. Each failure names its fix; the exit code is the
    first failure's (2 config, 3 login, 5 network or clock, 6 files), else 0.

    Examples:

    \b
      devcreds doctor -p dev
      devcreds doctor --json | jq '.[] | select(.level == "fail")'
    """
    ctx = Context.from_process(profile)
    found = checks.examine(
        ctx.paths,
        ctx.environ,
        ctx.profile,
        ctx.clock(),
        checks.server_date_from(lambda region: ctx.clients.client("sso", region, attempts=1)),
        ctx.platform,
    )
    if as_json:
        render.json_out(
            [{"check": c.name, "level": c.level, "text": c.text, "fix": c.fix} for c in found]
        )
    else:
        width = max(len(c.name) for c in found)
        for c in found:
            render.stdout.print(f"{_MARK[c.level]:<4}  {c.name:<{width}}  {c.text}", markup=False)
            if c.fix and c.level in (checks.WARN, checks.FAIL):
                render.stdout.print(f"{'':<4}  {'':<{width}}  fix: {c.fix}", markup=False)
    failures = [c for c in found if c.level == checks.FAIL]
    if failures:
        render.stderr.print(
            f"{len(failures)} of {len(found)} checks failed: {', '.join(c.name for c in failures)}",
            markup=False,
        )
        raise SystemExit(failures[0].exit_code)
