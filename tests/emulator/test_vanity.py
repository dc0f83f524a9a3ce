"""Vanity start URLs: a path of the emulator answers a redirect to an AWS-owned start URL, as
a company's own host does, and the AWS CLI 2.36.7 resolves it (over HTTPS on the same port)."""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import ssl
import subprocess
from pathlib import Path

import boto3
import pytest

from devcreds.emulator import EmulatorConfig
from tests.browser.launch import browser_command, finished, steps
from tests.browser.tls import self_signed_loopback_cert
from tests.support import (
    NO_RETRIES,
    START_URL,
    find_current_aws_cli,
    raw_request,
    register,
    require_tool,
    start_device,
)

TARGET = "https://d-0123456789.awsapps.com/start"


def _starts(emu):
    """GET /_emulator/start-urls: start URLs clients sent, and vanity redirects served."""
    status, _, body = raw_request(emu.url, "GET", "/_emulator/start-urls")
    assert status == 200
    return json.loads(body)


def test_head_and_get_redirect_to_the_aws_owned_start_url(emu):
    """HEAD (what the AWS CLI sends) and GET of /vanity and below: 302 to the start URL."""
    for method, path in [("HEAD", "/vanity/mycorp"), ("GET", "/vanity"), ("GET", "/vanity/")]:
        status, headers, body = raw_request(emu.url, method, path)
        assert (status, headers["Location"], body) == (302, TARGET, b""), (method, path)
    assert _starts(emu)["vanityRedirects"] == 3


def test_only_that_path_and_only_get_and_head(emu):
    """A sibling path is no vanity URL (404); POST gets 405 naming GET and HEAD."""
    assert raw_request(emu.url, "GET", "/vanityx")[0] == 404
    status, headers, _ = raw_request(emu.url, "POST", "/vanity")
    assert (status, headers["Allow"]) == (405, "GET, HEAD")
    assert _starts(emu)["vanityRedirects"] == 0


def test_path_target_and_status_are_configurable(start_emulator):
    """--vanity-path, the target and any redirect status the AWS CLI follows."""
    target = "https://ssoins-0123456789abcdef.portal.eu-west-1.app.aws"
    emu = start_emulator(vanity_path="/start/mycorp", vanity_target=target, vanity_status=307)
    status, headers, _ = raw_request(emu.url, "HEAD", "/start/mycorp")
    assert (status, headers["Location"]) == (307, target)
    assert raw_request(emu.url, "HEAD", "/vanity")[0] == 404


def test_vanity_path_none_turns_it_off(start_emulator):
    """No vanity path: the path is no route at all."""
    emu = start_emulator(vanity_path=None)
    assert raw_request(emu.url, "HEAD", "/vanity")[0] == 404


@pytest.mark.parametrize(
    ("settings", "problem"),
    [
        ({"vanity_path": "vanity"}, "vanity_path"),
        ({"vanity_path": "/"}, "vanity_path"),
        ({"vanity_status": 200}, "vanity_status"),
        ({"tls_cert": "cert.pem"}, "tls_cert and tls_key"),
    ],
)
def test_bad_settings_are_refused(settings, problem):
    """A relative or root vanity path, a status the AWS CLI would not follow, half a key pair."""
    with pytest.raises(ValueError, match=problem):
        EmulatorConfig(**settings)


def test_start_urls_clients_send_are_counted(emu):
    """/_emulator/start-urls counts RegisterClient's issuerUrl and StartDeviceAuthorization's
    startUrl."""
    issuer = "https://d-9999999999.awsapps.com/start"
    register(emu.client("sso-oidc"), issuerUrl=issuer)
    start_device(emu)  # with START_URL
    assert _starts(emu) == {"startUrls": {issuer: 1, START_URL: 1}, "vanityRedirects": 0}


@pytest.fixture
def tls_emu(start_emulator, tmp_path):
    cert, key = self_signed_loopback_cert(tmp_path / "tls")
    emu = start_emulator(real_time=True, tls_cert=str(cert), tls_key=str(key))
    return emu, cert


def test_the_same_port_speaks_https_and_http(tls_emu):
    """With a certificate the port answers TLS clients and plain ones alike; an HTTPS client
    is given https endpoints."""
    emu, cert = tls_emu
    https = emu.server.tls_url
    assert https == emu.url.replace("http://", "https://")
    context = ssl.create_default_context(cafile=str(cert))
    connection = http.client.HTTPSConnection(
        "127.0.0.1", emu.server.server_address[1], context=context
    )
    connection.request("HEAD", "/vanity/mycorp")
    response = connection.getresponse()
    assert (response.status, response.getheader("Location")) == (302, TARGET)
    connection.close()
    over_tls = boto3.session.Session(region_name="us-east-1").client(
        "sso-oidc", endpoint_url=https, verify=str(cert), config=NO_RETRIES
    )
    assert register(over_tls)["authorizationEndpoint"] == f"{https}/authorize"
    assert register(emu.client("sso-oidc"))["authorizationEndpoint"] == f"{emu.url}/authorize"


@pytest.fixture(scope="module")
def aws():
    return require_tool(find_current_aws_cli(), "the current AWS CLI v2 (.awscli-v2, see .ci/run)")


def _aws_env(home: Path, emu, cert: Path, browser: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "FOLLOW_"))}
    env.update(
        HOME=str(home),
        AWS_CONFIG_FILE=str(home / ".aws" / "config"),
        AWS_SHARED_CREDENTIALS_FILE=str(home / ".aws" / "credentials"),
        AWS_ENDPOINT_URL=emu.url,
        AWS_CA_BUNDLE=str(cert),  # for the HEAD to the https vanity URL
        AWS_EC2_METADATA_DISABLED="true",
        BROWSER=str(browser),
    )
    return env


def _config(home: Path, start_url: str, region: str = "us-east-1") -> Path:
    config = home / ".aws" / "config"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(
        "[profile dev]\nsso_session = corp\nsso_account_id = 111111111111\n"
        "sso_role_name = Developer\nregion = us-east-1\n\n"
        f"[sso-session corp]\nsso_start_url = {start_url}\nsso_region = {region}\n"
        "sso_registration_scopes = sso:account:access\n"
    )
    return config


@pytest.mark.awscli
def test_aws_sso_login_resolves_the_vanity_start_url(aws, tls_emu, tmp_path):
    """aws sso login (2.36.7, browser flow) with a vanity start URL: one HEAD to it, the
    AWS-owned URL it redirects to registered as issuerUrl, one click, and the token cached
    under the configured (vanity) URL."""
    emu, cert = tls_emu
    vanity = f"{emu.server.tls_url}/vanity/mycorp"
    _config(tmp_path, vanity)
    log = tmp_path / "browser.log"
    browser = browser_command(tmp_path, log=log)
    completed = subprocess.run(
        [aws, "sso", "login", "--profile", "dev"],
        env=_aws_env(tmp_path, emu, cert, browser),
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    assert completed.returncode == 0, (completed.stderr, steps(log))
    walked = finished(log)
    assert f"Successfully logged into Start URL: {vanity}" in completed.stdout
    assert _starts(emu) == {"startUrls": {TARGET: 1}, "vanityRedirects": 1}
    assert emu.stats()["grants"] == {"authorization_code": 1}
    assert [s["status"] for s in walked if s["step"] == "callback"] == [200]
    name = hashlib.sha1(b"corp").hexdigest()  # the CLI's token cache key for an sso-session
    token = json.loads((tmp_path / ".aws" / "sso" / "cache" / f"{name}.json").read_text())
    assert (token["startUrl"], token["region"], bool(token["accessToken"])) == (
        vanity,
        "us-east-1",
        True,
    )


@pytest.mark.awscli
def test_aws_cli_takes_the_region_from_the_resolved_url(aws, start_emulator, tmp_path):
    """A vanity URL leading to {id}.portal.{region}.app.aws: the CLI logs in to that region
    and writes it to sso_region (its resolver's region patterns)."""
    cert, key = self_signed_loopback_cert(tmp_path / "tls")
    target = "https://ssoins-0123456789abcdef.portal.eu-west-1.app.aws"
    emu = start_emulator(real_time=True, tls_cert=str(cert), tls_key=str(key), vanity_target=target)
    config = _config(tmp_path, f"{emu.server.tls_url}/vanity", region="us-east-1")
    log = tmp_path / "browser.log"
    completed = subprocess.run(
        [aws, "sso", "login", "--profile", "dev"],
        env=_aws_env(tmp_path, emu, cert, browser_command(tmp_path, log=log)),
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    assert completed.returncode == 0, (completed.stderr, steps(log))
    finished(log)
    assert "SSO region updated to eu-west-1" in completed.stdout
    assert "sso_region = eu-west-1" in config.read_text()
    assert _starts(emu)["startUrls"] == {target: 1}
