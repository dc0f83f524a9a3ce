"""``status`` tells the truth: it sees the token as ``export`` does."""

from __future__ import annotations

import datetime as dt
import json

from tests.support import START_URL


def _token_file(cli):
    (path,) = [p for p in cli.sso_cache.glob("*.json") if "accessToken" in p.read_text()]
    return path


def test_a_refused_refresh_token_is_not_reported_as_renewable(logged_in):
    """After the service refuses the refresh token, status says the session does not renew."""
    path = _token_file(logged_in)
    token = json.loads(path.read_text())
    soon = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5)
    token.update(expiresAt=soon.strftime("%Y-%m-%dT%H:%M:%SZ"), refreshToken="revoked")
    path.write_text(json.dumps(token))
    logged_in.export()  # the token still works for five minutes; its refresh was refused
    (session,) = json.loads(logged_in.ok("status", "--json"))["sessions"]
    assert (session["loggedIn"], session["refreshable"]) == (True, False)
    assert "refreshToken" not in json.loads(path.read_text())


def test_a_token_for_another_start_url_is_not_logged_in(logged_in):
    """sso_start_url changed after the login: status and export agree that a login is needed."""
    config = logged_in.config.read_text()
    logged_in.config.write_text(config.replace(START_URL, "https://d-9999999999.awsapps.com/start"))
    status = logged_in.run("status", "--json")
    (session,) = json.loads(status.stdout)["sessions"]
    assert session["loggedIn"] is False
    assert status.returncode == logged_in.run("export", "--profile", "dev").returncode == 3
