"""The browser pages and script hooks that approve or deny a device code."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest
from botocore.exceptions import ClientError

from tests.support import error_code, raw_request, register, start_device

FORM = {"Content-Type": "application/x-www-form-urlencoded"}


@pytest.fixture
def pending(emu):
    return start_device(emu)


def test_verification_page_shows_the_code_and_both_buttons(emu, pending):
    """verificationUriComplete opens a page with the user code, Allow and Deny."""
    device, _ = pending
    path = device["verificationUriComplete"].removeprefix(emu.url)
    status, headers, page = raw_request(emu.url, "GET", path)
    assert (status, headers["Content-Type"]) == (200, "text/html; charset=utf-8")
    assert device["userCode"].encode() in page
    assert b'value="allow"' in page
    assert b'value="deny"' in page


def test_allow_button_approves_the_device_code(emu, pending):
    """POST /device with decision=allow lets the next poll succeed."""
    device, poll = pending
    form = urlencode({"user_code": device["userCode"], "decision": "allow"}).encode()
    status, _, page = raw_request(emu.url, "POST", "/device", form, FORM)
    assert (status, b"Request approved" in page) == (200, True)
    assert poll()["accessToken"]


def test_deny_button_denies_the_device_code(emu, pending):
    """POST /device with decision=deny makes the poll AccessDeniedException."""
    device, poll = pending
    form = urlencode({"user_code": device["userCode"], "decision": "deny"}).encode()
    raw_request(emu.url, "POST", "/device", form, FORM)
    with pytest.raises(ClientError) as exc:
        poll()
    assert error_code(exc) == "AccessDeniedException"


def test_codes_are_accepted_in_lower_case(emu, pending):
    """A user typing the code in lower case still approves it."""
    device, poll = pending
    form = urlencode({"user_code": device["userCode"].lower(), "decision": "allow"}).encode()
    raw_request(emu.url, "POST", "/device", form, FORM)
    assert poll()["accessToken"]


def test_unknown_code_on_the_page_is_a_404_page(emu):
    """A code nobody issued gets an explanatory 404 page."""
    form = urlencode({"user_code": "BBBB-CCCC", "decision": "allow"}).encode()
    status, _, page = raw_request(emu.url, "POST", "/device", form, FORM)
    assert (status, b"Unknown user code" in page) == (404, True)


def test_page_escapes_what_it_echoes(emu):
    """A hostile user_code in the URL is shown as text, not markup."""
    _, _, page = raw_request(emu.url, "GET", "/device?user_code=%3Cscript%3Ex%3C/script%3E")
    assert b"<script>" not in page
    assert b"&lt;script&gt;" in page


def test_approve_hook_answers_the_new_status(emu, pending):
    """POST /_emulator/approve answers the code and its status."""
    device, _ = pending
    body = json.dumps({"userCode": device["userCode"]}).encode()
    status, _, answer = raw_request(emu.url, "POST", "/_emulator/approve", body)
    assert (status, json.loads(answer)) == (
        200,
        {"userCode": device["userCode"], "status": "approved"},
    )


def test_approve_hook_refuses_a_second_decision(emu, pending):
    """A code already approved cannot be decided again: 409."""
    device, _ = pending
    body = json.dumps({"userCode": device["userCode"]}).encode()
    raw_request(emu.url, "POST", "/_emulator/approve", body)
    status, _, _ = raw_request(emu.url, "POST", "/_emulator/deny", body)
    assert status == 409


def test_approve_hook_refuses_an_expired_code(emu, pending):
    """A code past its lifetime cannot be approved: 400."""
    device, _ = pending
    emu.clock.advance(600)
    body = json.dumps({"userCode": device["userCode"]}).encode()
    status, _, answer = raw_request(emu.url, "POST", "/_emulator/approve", body)
    assert (status, b"expired" in answer) == (400, True)


@pytest.mark.parametrize("body", [b"", b"not json", b'{"userCode": 5}', b"[]", b'{"code": "X"}'])
def test_approve_hook_rejects_a_bad_body(emu, body):
    """The hook answers 400 with a usage message for anything but {"userCode": "..."}."""
    status, _, answer = raw_request(emu.url, "POST", "/_emulator/approve", body)
    assert (status, b"userCode" in answer) == (400, True)


def test_index_page_points_at_the_hooks(emu):
    """GET / is a small page naming /device and /_emulator/stats."""
    status, _, page = raw_request(emu.url, "GET", "/")
    assert status == 200
    assert b"/_emulator/stats" in page


def test_consent_pages_have_stable_button_ids(emu, pending):
    """Both consent pages (device and /authorize) carry #allow and #deny, the ids the
    browser harness clicks (tests/browser/open_in_chromium.py), as decision=allow|deny."""
    device, _ = pending
    client = register(
        emu.client("sso-oidc"),
        grantTypes=["authorization_code"],
        redirectUris=["http://127.0.0.1/oauth/callback"],
    )
    query = urlencode(
        {
            "response_type": "code",
            "client_id": client["clientId"],
            "redirect_uri": "http://127.0.0.1:5555/oauth/callback",
            "state": "s",
            "code_challenge_method": "S256",
            "code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
        }
    )
    for path in (f"/authorize?{query}", f"/device?user_code={device['userCode']}"):
        status, _, page = raw_request(emu.url, "GET", path)
        assert status == 200
        assert b'<button id="allow" name="decision" value="allow"' in page, path
        assert b'<button id="deny" name="decision" value="deny"' in page, path
