"""SSO portal: GetRoleCredentials, ListAccounts, ListAccountRoles, Logout."""

from __future__ import annotations

import re

import pytest
from botocore.exceptions import ClientError

from tests.support import device_login, error_code, raw_request


@pytest.fixture
def token(emu):
    return device_login(emu)["accessToken"]


def test_role_credentials_expire_in_epoch_milliseconds(emu, token):
    """expiration is epoch milliseconds, credentials_ttl from now."""
    creds = emu.client("sso").get_role_credentials(
        accessToken=token, accountId="111111111111", roleName="Developer"
    )["roleCredentials"]
    assert creds["expiration"] == int((emu.clock.now + 3600) * 1000)


def test_role_credentials_look_like_aws_ones(emu, token):
    """ASIA access key id, 40-character base64 secret, a long session token."""
    creds = emu.client("sso").get_role_credentials(
        accessToken=token, accountId="222222222222", roleName="ReadOnly"
    )["roleCredentials"]
    assert re.fullmatch(r"ASIA[A-Z2-7]{16}", creds["accessKeyId"])
    assert re.fullmatch(r"[A-Za-z0-9+/]{40}", creds["secretAccessKey"])
    assert len(creds["sessionToken"]) > 200


def test_credentials_ttl_is_honoured(start_emulator):
    """--credentials-ttl sets the role credentials' lifetime."""
    emu = start_emulator(credentials_ttl=900)
    token = device_login(emu)["accessToken"]
    creds = emu.client("sso").get_role_credentials(
        accessToken=token, accountId="111111111111", roleName="Developer"
    )["roleCredentials"]
    assert creds["expiration"] == int((emu.clock.now + 900) * 1000)


@pytest.mark.parametrize(
    ("account", "role"), [("111111111111", "Admin"), ("999999999999", "Developer")]
)
def test_role_not_assigned_is_forbidden(emu, token, account, role):
    """A role or account the user is not assigned is 403 ForbiddenException, "No access"."""
    with pytest.raises(ClientError) as exc:
        emu.client("sso").get_role_credentials(accessToken=token, accountId=account, roleName=role)
    assert (error_code(exc), exc.value.response["Error"]["Message"]) == (
        "ForbiddenException",
        "No access",
    )


def test_unknown_token_is_unauthorized(emu):
    """A token the emulator never issued is 401 UnauthorizedException."""
    with pytest.raises(ClientError) as exc:
        emu.client("sso").list_accounts(accessToken="aoa-made-up")
    assert (error_code(exc), exc.value.response["ResponseMetadata"]["HTTPStatusCode"]) == (
        "UnauthorizedException",
        401,
    )


def test_expired_token_is_unauthorized(emu, token):
    """An access token past its lifetime is UnauthorizedException."""
    emu.clock.advance(3600)
    with pytest.raises(ClientError) as exc:
        emu.client("sso").list_accounts(accessToken=token)
    assert error_code(exc) == "UnauthorizedException"


def test_bearer_header_keeps_its_underscore(emu, token):
    """The token is read from x-amz-sso_bearer_token; a dashed name does not count."""
    ok, _, _ = raw_request(
        emu.url, "GET", "/assignment/accounts", None, {"x-amz-sso_bearer_token": token}
    )
    dashed, _, _ = raw_request(
        emu.url, "GET", "/assignment/accounts", None, {"x-amz-sso-bearer-token": token}
    )
    assert (ok, dashed) == (200, 401)


def test_default_directory(emu, token):
    """Three named accounts, each with Developer and ReadOnly."""
    sso = emu.client("sso")
    accounts = sso.list_accounts(accessToken=token)["accountList"]
    assert [(a["accountId"], a["accountName"]) for a in accounts] == [
        ("111111111111", "dev"),
        ("222222222222", "staging"),
        ("333333333333", "prod"),
    ]
    roles = sso.list_account_roles(accessToken=token, accountId="333333333333")["roleList"]
    assert roles == [
        {"roleName": "Developer", "accountId": "333333333333"},
        {"roleName": "ReadOnly", "accountId": "333333333333"},
    ]


def test_list_accounts_paginates_to_the_end(start_emulator):
    """With 45 accounts and pages of 10, botocore's paginator sees 5 pages and every account."""
    emu = start_emulator(accounts=45)
    token = device_login(emu)["accessToken"]
    pages = list(
        emu.client("sso")
        .get_paginator("list_accounts")
        .paginate(accessToken=token, PaginationConfig={"PageSize": 10})
    )
    ids = [a["accountId"] for page in pages for a in page["accountList"]]
    assert len(pages) == 5
    assert len(set(ids)) == 45
    assert all(re.fullmatch(r"\d{12}", i) for i in ids)
    assert pages[-1].get("nextToken") is None


def test_default_page_is_twenty_accounts(start_emulator):
    """Without max_result a page holds 20 accounts and a next token."""
    emu = start_emulator(accounts=25)
    page = emu.client("sso").list_accounts(accessToken=device_login(emu)["accessToken"])
    assert (len(page["accountList"]), bool(page["nextToken"])) == (20, True)


def test_list_account_roles_paginates_to_the_end(start_emulator):
    """Seven roles in pages of three come back whole and in order."""
    emu = start_emulator(roles_per_account=7)
    token = device_login(emu)["accessToken"]
    pages = (
        emu.client("sso")
        .get_paginator("list_account_roles")
        .paginate(accessToken=token, accountId="111111111111", PaginationConfig={"PageSize": 3})
    )
    names = [r["roleName"] for page in pages for r in page["roleList"]]
    assert names == ["Developer", "ReadOnly", "Role03", "Role04", "Role05", "Role06", "Role07"]


@pytest.mark.parametrize(
    "query", ["max_result=0", "max_result=101", "max_result=ten", "next_token=bm9wZQ"]
)
def test_bad_paging_parameters_are_invalid_request(emu, token, query):
    """Out-of-range max_result or a forged next_token is 400 InvalidRequestException."""
    status, headers, _ = raw_request(
        emu.url, "GET", f"/assignment/accounts?{query}", None, {"x-amz-sso_bearer_token": token}
    )
    assert (status, headers["x-amzn-ErrorType"]) == (400, "InvalidRequestException")


def test_next_token_of_another_listing_is_invalid_request(start_emulator):
    """A ListAccounts token is no good for ListAccountRoles."""
    emu = start_emulator(accounts=3, roles_per_account=3)
    token = device_login(emu)["accessToken"]
    sso = emu.client("sso")
    next_token = sso.list_accounts(accessToken=token, maxResults=1)["nextToken"]
    with pytest.raises(ClientError) as exc:
        sso.list_account_roles(accessToken=token, accountId="111111111111", nextToken=next_token)
    assert error_code(exc) == "InvalidRequestException"


def test_roles_of_unknown_account_is_not_found(emu, token):
    """ListAccountRoles for an account outside the directory is ResourceNotFoundException."""
    with pytest.raises(ClientError) as exc:
        emu.client("sso").list_account_roles(accessToken=token, accountId="999999999999")
    assert error_code(exc) == "ResourceNotFoundException"


def test_missing_query_parameter_is_invalid_request(emu, token):
    """GetRoleCredentials without role_name is 400 InvalidRequestException."""
    status, headers, body = raw_request(
        emu.url,
        "GET",
        "/federation/credentials?account_id=111111111111",
        None,
        {"x-amz-sso_bearer_token": token},
    )
    assert (status, headers["x-amzn-ErrorType"]) == (400, "InvalidRequestException")
    assert b"role_name" in body


def test_logout_invalidates_the_token(emu, token):
    """After Logout the access token is 401 UnauthorizedException."""
    sso = emu.client("sso")
    sso.logout(accessToken=token)
    with pytest.raises(ClientError) as exc:
        sso.get_role_credentials(accessToken=token, accountId="111111111111", roleName="Developer")
    assert error_code(exc) == "UnauthorizedException"


def test_logout_answers_an_empty_200(emu, token):
    """Logout's success is HTTP 200 with no body."""
    status, _, body = raw_request(
        emu.url, "POST", "/logout", b"", {"x-amz-sso_bearer_token": token}
    )
    assert (status, body) == (200, b"")


def test_credentials_issued_before_logout_stay_valid(emu, token):
    """Role credentials outlive the logout of the session that fetched them."""
    sso = emu.client("sso")
    creds = sso.get_role_credentials(
        accessToken=token, accountId="111111111111", roleName="Developer"
    )["roleCredentials"]
    sso.logout(accessToken=token)
    assert emu.sts_as(creds).get_caller_identity()["Account"] == "111111111111"
