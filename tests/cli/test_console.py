"""``devcreds console``: a console sign-in URL from the federation endpoint (the emulator's),
printed or opened in the browser, never logged."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import pytest

from devcreds import console
from devcreds.errors import UsageError
from tests.cli.conftest import Cli, cli_environment
from tests.support import START_URL, EmulatorFactory, raw_request

EU_HOME = "https://eu-west-1.console.aws.amazon.com/console/home?region=eu-west-1"


@pytest.fixture(scope="module")
def shared(tmp_path_factory):
    """One logged-in home for the tests that change nothing in it: every CLI start costs
    half a second. Its tests count calls as differences."""
    factory = EmulatorFactory()
    emu = factory(real_time=True, auto_approve=True)
    home = tmp_path_factory.mktemp("home")
    made = Cli(home, cli_environment(home, emu.url), emu)
    made.configure()
    made.ok("login", "--profile", "dev", "--use-device-code", "--no-browser")
    yield made
    factory.close()


def _printed_url(cli, *args, **env):
    completed = cli.run("console", "--profile", "dev", "--print", *args, **env)
    assert completed.returncode == 0, completed.stderr
    (line,) = completed.stdout.splitlines()
    return urlsplit(line)


def _query(url):
    query = parse_qs(url.query, keep_blank_values=True)
    assert all(len(values) == 1 for values in query.values())
    return {name: values[0] for name, values in query.items()}


def _open(cli, url):
    """What the emulator's login page says for ``url``."""
    target = f"{url.path}?{url.query}"
    status, _, page = raw_request(cli.emu.url, "GET", target)
    return status, page.decode()


def test_print_gives_a_login_url_at_the_emulator(shared):
    """--print: one URL at AWS_ENDPOINT_URL/federation, Action=login, the region's console as
    Destination, the access portal as Issuer, and the SigninToken the emulator issued."""
    before = shared.emu.calls("getSigninToken")
    url = _printed_url(shared, "--region", "eu-west-1")
    assert f"{url.scheme}://{url.netloc}{url.path}" == f"{shared.emu.url}/federation"
    query = _query(url)
    assert sorted(query) == ["Action", "Destination", "Issuer", "SigninToken"]
    assert (query["Action"], query["Destination"], query["Issuer"]) == ("login", EU_HOME, START_URL)
    issued = shared.emu.emulator.state.signin_tokens[query["SigninToken"]]
    assert issued.session_duration is None  # the console session lasts as the credentials do
    assert shared.emu.calls("getSigninToken") == before + 1


def test_the_printed_url_signs_in_as_the_profiles_role(shared):
    """Opening the printed URL signs in to account 111111111111 as the Developer role."""
    status, page = _open(shared, _printed_url(shared, "--region", "eu-west-1"))
    assert status == 200
    assert '<b id="account">111111111111 (dev)</b>' in page
    assert '<b id="role">AWSReservedSSO_Developer_' in page


def test_the_profile_region_and_a_destination_path(shared):
    """Without --region the profile's region is the console's; --destination /s3/home opens
    that page of it."""
    shared.configure(profile="sydney", region="ap-southeast-2")
    completed = shared.run("console", "--profile", "sydney", "--print", "--destination", "/s3/home")
    assert completed.returncode == 0, completed.stderr
    query = _query(urlsplit(completed.stdout.strip()))
    assert query["Destination"] == "https://ap-southeast-2.console.aws.amazon.com/s3/home"


def test_without_print_the_browser_opens_the_url(shared):
    """Without --print the URL goes to the browser (BROWSER), which is signed in; stdout
    stays empty."""
    before = shared.emu.calls("login")
    completed = shared.run("console", "--profile", "dev", **shared.browser())
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout == ""
    assert "opening in your browser" in completed.stderr
    steps = shared.followed()
    assert steps[0] == {"step": "open", "url": f"{shared.emu.url}/federation"}
    assert (
        steps[-1]["title"] == "Signed in to the AWS console - devcreds IAM Identity Center emulator"
    )
    assert shared.emu.calls("login") == before + 1


def test_no_browser_is_exit_2_with_the_print_hint(shared):
    """A browser that cannot start: exit 2, the hint names --print, and no URL is shown."""
    completed = shared.run("console", "--profile", "dev", BROWSER="false")
    assert completed.returncode == 2
    assert completed.stderr.splitlines()[-2:] == [
        "error: no web browser could be opened",
        "hint: devcreds console --profile dev --print (prints the link to open)",
    ]
    assert "SigninToken" not in completed.stderr + completed.stdout


def test_logged_out_off_a_terminal_is_exit_3_with_the_login_hint(cli):
    """Not logged in and no terminal: exit 3 and the login hint, no sign-in token asked for."""
    completed = cli.run("console", "--profile", "dev", "--print")
    assert completed.returncode == 3
    assert completed.stdout == ""
    assert completed.stderr.splitlines() == [
        "error: not logged in to corp",
        "hint: devcreds login --profile dev",
    ]
    assert cli.emu.calls("getSigninToken") == 0


def test_debug_shows_neither_the_token_nor_a_secret(shared):
    """--debug logs the endpoint, never the SigninToken, a secret key or a session token;
    the URL is on stdout only."""
    completed = shared.run("--debug", "console", "--profile", "dev", "--print")
    assert completed.returncode == 0, completed.stderr
    token = _query(urlsplit(completed.stdout.strip()))["SigninToken"]
    assert f"debug: devcreds.console: getSigninToken at {shared.emu.url}/federation" in (
        completed.stderr
    )
    state = shared.emu.emulator.state
    secrets = [token, *state.signin_tokens]
    for issued in state.credentials.values():
        secrets += [issued.secret_access_key, issued.session_token]
    assert [s for s in secrets if s in completed.stderr] == []


def test_an_assumed_role_profile_signs_in_as_that_role(shared):
    """A profile that assumes a role from the SSO profile signs in as the assumed role (so
    no SessionDuration was sent: the emulator refuses it for role chaining)."""
    with shared.config.open("a") as config:
        config.write(
            "\n[profile deploy]\nrole_arn = arn:aws:iam::222222222222:role/Deploy\n"
            "source_profile = dev\nrole_session_name = alice\n"
        )
    completed = shared.run("console", "--profile", "deploy", "--print")
    assert completed.returncode == 0, completed.stderr
    status, page = _open(shared, urlsplit(completed.stdout.strip()))
    assert (status, '<b id="role">Deploy</b>' in page) == (200, True)
    assert "222222222222 (staging)" in page


def test_refused_credentials_are_exit_4_without_a_secret(logged_in):
    """Credentials the endpoint refuses (a damaged cached session token): exit 4, one error
    and one hint line, no traceback, no secret."""
    logged_in.export()
    cached = logged_in.only_file(logged_in.cli_cache)
    data = json.loads(cached.read_text())
    data["Credentials"]["SessionToken"] = "damaged"
    cached.write_text(json.dumps(data))
    completed = logged_in.run("console", "--profile", "dev", "--print")
    assert completed.returncode == 4
    assert completed.stderr.splitlines() == [
        f"error: the AWS sign-in endpoint {urlsplit(logged_in.emu.url).netloc} refused the "
        "credentials of profile dev (HTTP 400)",
        "hint: devcreds whoami --profile dev shows whether AWS accepts them",
    ]
    assert data["Credentials"]["SecretAccessKey"] not in completed.stderr


def test_the_federation_endpoint_variable_wins(shared):
    """DEVCREDS_FEDERATION_ENDPOINT names the endpoint, whatever AWS_ENDPOINT_URL says."""
    endpoint = f"{shared.emu.url}/federation"
    url = _printed_url(shared, DEVCREDS_FEDERATION_ENDPOINT=endpoint)
    assert f"{url.scheme}://{url.netloc}{url.path}" == endpoint


def test_an_unreachable_endpoint_is_exit_5(shared):
    """A federation endpoint nobody listens on is a network error, exit 5."""
    completed = shared.run(
        "console", "--profile", "dev", "--print",
        DEVCREDS_FEDERATION_ENDPOINT="http://127.0.0.1:9/federation",
    )  # fmt: skip
    assert completed.returncode == 5
    assert completed.stderr.startswith("error: cannot reach the AWS sign-in endpoint 127.0.0.1:9")


@pytest.mark.parametrize("value", ["http://signin.example.com/federation", "https://x/f?a=b"])
def test_an_unsafe_federation_endpoint_is_exit_2(shared, value):
    """Plain http beyond loopback, or a query: exit 2 before any call."""
    before = shared.emu.calls("getSigninToken")
    completed = shared.run(
        "console", "--profile", "dev", "--print", DEVCREDS_FEDERATION_ENDPOINT=value
    )
    assert completed.returncode == 2
    assert f"error: DEVCREDS_FEDERATION_ENDPOINT={value} is not an https URL" in completed.stderr
    assert shared.emu.calls("getSigninToken") == before


def test_credentials_from_a_redirected_service_never_go_to_aws(shared):
    """With only AWS_ENDPOINT_URL_SSO redirected (no AWS_ENDPOINT_URL), the credentials are
    not AWS's: exit 2 naming DEVCREDS_FEDERATION_ENDPOINT, nothing is sent."""
    completed = shared.run(
        "console", "--profile", "dev", "--print",
        AWS_ENDPOINT_URL="", AWS_ENDPOINT_URL_SSO=shared.emu.url,
    )  # fmt: skip
    assert completed.returncode == 2
    assert f"AWS_ENDPOINT_URL_SSO={shared.emu.url}" in completed.stderr
    assert "hint: set DEVCREDS_FEDERATION_ENDPOINT" in completed.stderr


@pytest.mark.parametrize(
    ("region", "endpoint"),
    [
        (None, "https://signin.aws.amazon.com/federation"),
        ("us-east-1", "https://signin.aws.amazon.com/federation"),
        ("eu-west-1", "https://eu-west-1.signin.aws.amazon.com/federation"),
        ("us-gov-west-1", "https://signin.amazonaws-us-gov.com/federation"),
        ("us-gov-east-1", "https://us-gov-east-1.signin.amazonaws-us-gov.com/federation"),
        ("cn-north-1", "https://signin.amazonaws.cn/federation"),
        ("cn-northwest-1", "https://signin.amazonaws.cn/federation"),
    ],
)
def test_federation_endpoint_of_each_partition(region, endpoint):
    """us-east-1 and us-gov-west-1 use the global host, other regions their own; China one."""
    assert console.federation_endpoint(region, "us-east-1" if region is None else region) == (
        endpoint
    )


@pytest.mark.parametrize(
    ("region", "given", "expected"),
    [
        ("eu-west-1", None, EU_HOME),
        (None, None, "https://console.aws.amazon.com/"),
        (
            "us-gov-east-1",
            None,
            "https://console.amazonaws-us-gov.com/console/home?region=us-gov-east-1",
        ),
        ("cn-north-1", "/ec2/home", "https://console.amazonaws.cn/ec2/home"),
        (
            "eu-west-1",
            "https://console.aws.amazon.com/iam/home",
            "https://console.aws.amazon.com/iam/home",
        ),
    ],
)
def test_destination(region, given, expected):
    """The region's console home, a path on the region's console, or the URL given."""
    assert console.destination(region, given, "us-east-1") == expected


@pytest.mark.parametrize("region", ["us-iso-east-1", "us-isob-east-1", "eusc-de-east-1", "mars"])
def test_regions_without_a_known_console_sign_in_are_usage_errors(region):
    """ISO partitions, the European Sovereign Cloud and non-regions name what to set."""
    with pytest.raises(UsageError):
        console.federation_endpoint(region, region)
