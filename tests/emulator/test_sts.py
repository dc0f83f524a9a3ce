"""STS: GetCallerIdentity and AssumeRole, signed with credentials the emulator issued."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

import pytest
from botocore.exceptions import ClientError

from tests.support import device_login, error_code, raw_request


@pytest.fixture
def creds(emu):
    token = device_login(emu)["accessToken"]
    return emu.client("sso").get_role_credentials(
        accessToken=token, accountId="111111111111", roleName="Developer"
    )["roleCredentials"]


def test_caller_identity_of_sso_role_credentials(emu, creds):
    """The identity is the SSO reserved role in the right account, with an AROA user id."""
    identity = emu.sts_as(creds).get_caller_identity()
    assert identity["Account"] == "111111111111"
    assert identity["Arn"].startswith(
        "arn:aws:sts::111111111111:assumed-role/AWSReservedSSO_Developer_"
    )
    assert identity["Arn"].endswith("/developer")
    assert identity["UserId"].startswith("AROA")
    assert identity["UserId"].endswith(":developer")


def test_assume_role_returns_credentials_for_the_target_account(emu, creds):
    """AssumedRoleUser.Arn names the role's account, role and session."""
    answer = emu.sts_as(creds).assume_role(
        RoleArn="arn:aws:iam::222222222222:role/Deploy", RoleSessionName="alice"
    )
    assert answer["AssumedRoleUser"]["Arn"] == "arn:aws:sts::222222222222:assumed-role/Deploy/alice"
    assert answer["AssumedRoleUser"]["AssumedRoleId"].endswith(":alice")
    assert answer["Credentials"]["AccessKeyId"].startswith("ASIA")


def test_assumed_credentials_have_their_own_identity(emu, creds):
    """GetCallerIdentity with the assumed credentials names the assumed role."""
    assumed = emu.sts_as(creds).assume_role(
        RoleArn="arn:aws:iam::333333333333:role/path/Admin", RoleSessionName="bob"
    )["Credentials"]
    as_role = {
        "accessKeyId": assumed["AccessKeyId"],
        "secretAccessKey": assumed["SecretAccessKey"],
        "sessionToken": assumed["SessionToken"],
    }
    identity = emu.sts_as(as_role).get_caller_identity()
    assert (identity["Account"], identity["Arn"]) == (
        "333333333333",
        "arn:aws:sts::333333333333:assumed-role/Admin/bob",
    )


def test_duration_seconds_sets_expiration(emu, creds):
    """DurationSeconds=900 gives credentials that expire 900 s from now."""
    answer = emu.sts_as(creds).assume_role(
        RoleArn="arn:aws:iam::222222222222:role/Deploy", RoleSessionName="s1", DurationSeconds=900
    )
    expected = dt.datetime.fromtimestamp(int(emu.clock.now) + 900, dt.UTC)
    assert answer["Credentials"]["Expiration"] == expected


def test_assume_role_outside_the_directory_is_access_denied(emu, creds):
    """A role in an account the emulator does not know is 403 AccessDenied."""
    with pytest.raises(ClientError) as exc:
        emu.sts_as(creds).assume_role(
            RoleArn="arn:aws:iam::999999999999:role/Deploy", RoleSessionName="s1"
        )
    assert (error_code(exc), exc.value.response["ResponseMetadata"]["HTTPStatusCode"]) == (
        "AccessDenied",
        403,
    )


def test_unknown_access_key_is_invalid_client_token_id(emu):
    """Keys the emulator never issued are InvalidClientTokenId."""
    foreign = {"accessKeyId": "ASIAFOREIGNKEY000000", "secretAccessKey": "x", "sessionToken": "y"}
    with pytest.raises(ClientError) as exc:
        emu.sts_as(foreign).get_caller_identity()
    assert error_code(exc) == "InvalidClientTokenId"


def test_wrong_session_token_is_invalid_client_token_id(emu, creds):
    """The session token must belong to the access key."""
    with pytest.raises(ClientError) as exc:
        emu.sts_as({**creds, "sessionToken": "forged"}).get_caller_identity()
    assert error_code(exc) == "InvalidClientTokenId"


def test_expired_credentials_are_expired_token(emu, creds):
    """Credentials past their expiration are ExpiredToken."""
    emu.clock.advance(3600)
    with pytest.raises(ClientError) as exc:
        emu.sts_as(creds).get_caller_identity()
    assert error_code(exc) == "ExpiredToken"


def _signed_form(creds, **form):
    headers = {
        "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
        "Authorization": (
            f"AWS4-HMAC-SHA256 Credential={creds['accessKeyId']}/20260101/us-east-1/sts/"
            "aws4_request, SignedHeaders=host, Signature=0"
        ),
        "X-Amz-Security-Token": creds["sessionToken"],
    }
    return urlencode({"Version": "2011-06-15", **form}).encode(), headers


@pytest.mark.parametrize(
    "form",
    [
        {"RoleArn": "arn:aws:iam::222222222222:user/Deploy", "RoleSessionName": "s1"},
        {"RoleArn": "arn:aws:iam::222222222222:role/Deploy", "RoleSessionName": "a"},
        {"RoleArn": "arn:aws:iam::222222222222:role/Deploy", "RoleSessionName": "bad name"},
        {
            "RoleArn": "arn:aws:iam::222222222222:role/Deploy",
            "RoleSessionName": "s1",
            "DurationSeconds": "899",
        },
        {
            "RoleArn": "arn:aws:iam::222222222222:role/Deploy",
            "RoleSessionName": "s1",
            "DurationSeconds": "43201",
        },
        {"RoleSessionName": "s1"},
    ],
)
def test_invalid_assume_role_parameters_are_validation_errors(emu, creds, form):
    """Bad ARN, session name or duration is a 400 ValidationError in STS's XML."""
    body, headers = _signed_form(creds, Action="AssumeRole", **form)
    status, answer_headers, answer = raw_request(emu.url, "POST", "/", body, headers)
    assert (status, answer_headers["Content-Type"]) == (400, "text/xml")
    assert b"<Code>ValidationError</Code>" in answer
    assert b"<Type>Sender</Type>" in answer


def test_unknown_action_is_invalid_action(emu, creds):
    """An Action STS does not have is InvalidAction."""
    body, headers = _signed_form(creds, Action="GetSessionTokenPlease")
    status, _, answer = raw_request(emu.url, "POST", "/", body, headers)
    assert (status, b"<Code>InvalidAction</Code>" in answer) == (400, True)


def test_unsigned_request_is_missing_authentication_token(emu):
    """A request without credentials is MissingAuthenticationToken."""
    status, _, answer = raw_request(
        emu.url,
        "POST",
        "/",
        b"Action=GetCallerIdentity&Version=2011-06-15",
        {"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert (status, b"<Code>MissingAuthenticationToken</Code>" in answer) == (403, True)
