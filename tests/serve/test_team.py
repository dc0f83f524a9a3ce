"""A .NET team shares one repository: developer A writes the launch file --via serve and
commits it; developer B, with other profile names, their own login, serve and token, pulls
and runs apps with the committed variables. Two HOMEs on one emulator (one IAM Identity
Center), each developer's serve a real process; real clients (boto3, the current AWS CLI v2,
the AWS SDK for JavaScript v3) call STS with what B's serve hands out."""

from __future__ import annotations

import contextlib
import json
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from devcreds.sinks import jsonc
from tests.cli.conftest import Cli, cli_environment
from tests.cli.test_write import SAMPLES, git
from tests.serve.conftest import Serving, start_serve
from tests.serve.test_sdks import BOTO3_CALLER, BOTO3_LOOP, JS, _run
from tests.support import START_URL, find_current_aws_cli, require_tool

URI = "AWS_CONTAINER_CREDENTIALS_FULL_URI"
TOKEN_FILE = "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"
LAUNCH = Path("Web") / "Properties" / "launchSettings.json"
OTHER_START_URL = "https://d-9999999999.awsapps.com/start"


def colleague(of: Cli, name: str) -> Cli:
    """Another developer on the same IAM Identity Center: a HOME of their own."""
    home = of.home.parent / name
    home.mkdir()
    return Cli(home, cli_environment(home, of.emu.url), of.emu)


def session(user: Cli, name: str, start_url: str = START_URL) -> None:
    """An [sso-session] of the user's own naming, and a login to it."""
    user.ok(
        "configure", "sso", "--sso-session", name, "--start-url", start_url,
        "--sso-region", "us-east-1", "--profile", f"{name}-Developer",
        "--account-id", "111111111111", "--role-name", "Developer",
    )  # fmt: skip
    user.ok("login", "--sso-session", name, "--use-device-code", "--no-browser")


@pytest.fixture
def team(make_cli, tmp_path):
    """A has written the solution's launch file --via serve and committed it; B has cloned
    it and set up once (configure, login, serve). A's serve is not running."""
    a = make_cli()
    a.configure(profile="dev", session="corp")
    a.ok("login", "--profile", "dev", "--use-device-code", "--no-browser")
    b = colleague(a, "developer-b")
    session(b, "work")
    with serving_of(b) as b_serve:
        origin = tmp_path / "origin"
        (origin / LAUNCH).parent.mkdir(parents=True)
        shutil.copyfile(SAMPLES / "launchSettings/dotnet__eShop__1.json", origin / LAUNCH)
        git(origin, "init", "-q")
        git(origin, "add", "-A")
        git(origin, "commit", "-qm", "solution")
        written = a.run(
            "write", "launchsettings", str(origin / LAUNCH), "--via", "serve", "--profile", "dev",
            "--serve-port", str(b_serve.port),  # the team's port, where B's serve listens here
        )  # fmt: skip
        assert written.returncode == 0, written.stderr
        git(origin, "commit", "-qam", "AWS credentials through devcreds serve")
        clone = tmp_path / "clone-b"
        git(tmp_path, "clone", "-q", str(origin), str(clone))
        yield a, b, b_serve, clone, written.stderr


@contextlib.contextmanager
def serving_of(user: Cli) -> Iterator[Serving]:
    """The user's own serve, stopped afterwards."""
    serving = start_serve(user)
    try:
        yield serving
    finally:
        serving.stop()


def committed_variables(clone: Path) -> dict[str, str]:
    profiles = jsonc.to_python(jsonc.parse((clone / LAUNCH).read_text()))["profiles"]
    (variables,) = {json.dumps(p["environmentVariables"]) for p in profiles.values()}
    return {k: v for k, v in json.loads(variables).items() if k.startswith("AWS_")}


def app_environment(user: Cli, serving: Serving, clone: Path, **extra: str) -> dict[str, str]:
    """What `dotnet run` gives B's app: B's environment with the committed variables."""
    env = {k: v for k, v in user.env.items() if k != "AWS_PROFILE"}
    env.update(committed_variables(clone))
    env.update({TOKEN_FILE: str(serving.token_file), "AWS_REGION": "us-east-1", **extra})
    return env


def test_the_committed_file_names_the_role_not_a_profile(team):
    """The URL names account and role; no token file, no path of A's; the write ends with
    the line every other developer runs once."""
    a, _, b_serve, clone, stderr = team
    variables = committed_variables(clone)
    assert variables == {
        URI: f"http://127.0.0.1:{b_serve.port}/account/111111111111/role/Developer"
    }
    assert str(a.home) not in (clone / LAUNCH).read_text()
    assert stderr.rstrip().splitlines()[-1].endswith("devcreds serve --install")


def test_b_gets_b_credentials_with_boto3(team):
    """boto3 in B's app: STS answers for the committed role, with B's serve's keys."""
    _, b, b_serve, clone, _ = team
    code = BOTO3_CALLER.format(endpoint=b.emu.url)
    seen = _run(app_environment(b, b_serve, clone), sys.executable, "-c", code)
    status, served = b_serve.get("/account/111111111111/role/Developer")
    assert status == 200
    assert seen["AccessKeyId"] == served["AccessKeyId"]
    assert seen["Arn"].startswith(
        "arn:aws:sts::111111111111:assumed-role/AWSReservedSSO_Developer_"
    )


@pytest.mark.awscli
def test_b_gets_credentials_with_the_current_aws_cli(team):
    """The current AWS CLI v2 (2.36) reads the committed URL and B's token file."""
    aws = require_tool(find_current_aws_cli(), "the current AWS CLI v2 (.awscli-v2, see .ci/run)")
    _, b, b_serve, clone, _ = team
    env = app_environment(b, b_serve, clone, AWS_ENDPOINT_URL=b.emu.url)
    identity = _run(env, aws, "sts", "get-caller-identity", "--output", "json")
    assert identity["Account"] == "111111111111"
    assert ":assumed-role/AWSReservedSSO_Developer_" in identity["Arn"]


def test_b_gets_credentials_with_the_javascript_sdk(team):
    """@aws-sdk/client-sts (fromHttp in its default chain) with the committed variables."""
    node = require_tool(shutil.which("node"), "Node.js")
    require_tool(
        str(JS / "node_modules") if (JS / "node_modules" / "@aws-sdk").exists() else None,
        "the AWS SDK for JavaScript v3 (npm ci --prefix tests/js)",
    )
    _, b, b_serve, clone, _ = team
    env = app_environment(b, b_serve, clone, STS_ENDPOINT=b.emu.url)
    seen = _run(env, node, str(JS / "caller.mjs"))
    assert (
        seen["AccessKeyId"] == b_serve.get("/account/111111111111/role/Developer")[1]["AccessKeyId"]
    )


def test_a_token_is_refused_by_b_serve(team):
    """Each developer's serve has its own token: A's token file gets a 403 from B's serve."""
    a, _, b_serve, _, _ = team
    a_token = (a.home / ".aws" / "devcreds" / "serve" / "token").read_text()
    assert a_token != b_serve.token
    status, answer = b_serve.get(
        "/account/111111111111/role/Developer", headers={"Authorization": a_token}
    )
    assert (status, answer["code"]) == (403, "WrongToken")


def test_a_role_no_session_holds_is_a_clear_refusal(team):
    """A role B's sessions do not have: an error naming it, never credentials."""
    _, _, b_serve, _, _ = team
    status, answer = b_serve.get("/account/111111111111/role/NoSuchRole")
    assert status == 502
    assert answer["message"] == "you have no access to role NoSuchRole in account 111111111111"


def test_two_portals_holding_the_role_are_named_with_how_to_pick(make_cli):
    """B is logged in to two IAM Identity Centers that both hold the role: serve answers 409
    naming both sessions and the URLs that pick one; each of those URLs answers."""
    b = make_cli()
    session(b, "work")
    session(b, "lab", OTHER_START_URL)
    with serving_of(b) as serving:
        status, answer = serving.get("/account/111111111111/role/Developer")
        assert status == 409
        assert answer["code"] == "Ambiguous"
        assert (
            "work (d-0123456789.awsapps.com) and lab (d-9999999999.awsapps.com)"
            in (answer["message"])
        )
        picks = [
            "/portal/d-0123456789.awsapps.com/account/111111111111/role/Developer",
            "/portal/d-9999999999.awsapps.com/account/111111111111/role/Developer",
        ]
        assert answer["hint"] == f"name the portal in the file's URL: {picks[0]} or {picks[1]}"
        assert [serving.get(pick)[0] for pick in picks] == [200, 200]


def test_a_writer_with_two_portals_writes_the_portal_into_the_url(make_cli, tmp_path):
    """A developer whose config knows two portals writes a URL that names the profile's."""
    a = make_cli()
    session(a, "work")
    session(a, "lab", OTHER_START_URL)
    target = tmp_path / "launchSettings.json"
    target.write_text('{"profiles": {"Web": {"commandName": "Project"}}}')
    a.ok("write", "launchsettings", str(target), "--via", "serve", "--profile", "lab-Developer")
    variables = jsonc.to_python(jsonc.parse(target.read_text()))["profiles"]["Web"][
        "environmentVariables"
    ]
    assert variables[URI] == (
        "http://127.0.0.1:9155/portal/d-9999999999.awsapps.com/account/111111111111/role/Developer"
    )


def test_two_sessions_of_one_portal_are_not_ambiguous(make_cli):
    """Two session names for one start URL are one IAM Identity Center: either token does."""
    b = make_cli()
    session(b, "work")
    session(b, "work-too")
    with serving_of(b) as serving:
        assert serving.get("/account/111111111111/role/Developer")[0] == 200


def test_profile_urls_written_before_keep_working(team):
    """/profile/NAME of B's own config is still served."""
    _, _, b_serve, _, _ = team
    status, answer = b_serve.get("/profile/work-Developer")
    assert status == 200
    assert answer["AccountId"] == "111111111111"


def test_a_session_not_logged_in_is_a_503_naming_its_login(make_cli):
    """B configured the team's portal but has not logged in: 503, and the hint names B's
    own session (not A's profile)."""
    b = make_cli()
    b.ok(
        "configure", "sso", "--sso-session", "mine", "--start-url", START_URL,
        "--sso-region", "us-east-1", "--profile", "x", "--account-id", "111111111111",
        "--role-name", "Developer",
    )  # fmt: skip
    with serving_of(b) as serving:
        status, answer = serving.get("/account/111111111111/role/Developer")
    assert status == 503
    assert answer["hint"] == "devcreds login --sso-session mine"


def test_b_app_keeps_working_as_credentials_renew(make_cli, tmp_path):
    """Credentials living 20 s: boto3 in B's app calls through the team address for 25 s;
    every call succeeds, on more than one set of keys (serve renews ahead)."""
    b = make_cli(credentials_ttl=20)
    session(b, "work")
    with serving_of(b) as serving:
        env = serving.sdk_env()
        env["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = (
            f"http://127.0.0.1:{serving.port}/account/111111111111/role/Developer"
        )
        code = BOTO3_LOOP.format(endpoint=b.emu.url, seconds=25)
        seen = _run(env, sys.executable, "-c", code)
    assert seen["failures"] == 0
    assert seen["calls"] > 20
    assert len(seen["keys"]) >= 2


def test_b_writing_the_committed_file_again_changes_nothing(team):
    """B runs the same write on the pulled file: it already holds the team's address, so
    no byte changes, and B's clean --all leaves it too."""
    _, b, b_serve, clone, _ = team
    committed = (clone / LAUNCH).read_bytes()
    completed = b.run(
        "write", "launchsettings", str(clone / LAUNCH), "--via", "serve",
        "--profile", "work-Developer", "--serve-port", str(b_serve.port),
    )  # fmt: skip
    assert completed.returncode == 0, completed.stderr
    assert "skipped" not in completed.stderr
    assert (clone / LAUNCH).read_bytes() == committed
    b.ok("clean", "--all")
    assert (clone / LAUNCH).read_bytes() == committed
    assert git(clone, "status", "--porcelain") == ""
