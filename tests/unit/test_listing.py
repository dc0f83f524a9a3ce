"""The listing flow (``devcreds.listing``) against the in-process emulator: concurrent, paced
under throttling, retrying until a deadline, and honest about what it could not list."""

from __future__ import annotations

import random
import threading

import pytest

from devcreds import listing
from devcreds.errors import LoginRequired, ServerFault, Throttled
from devcreds.listing import Role, list_roles
from devcreds.sso.clients import ClientFactory
from devcreds.sso.portal import Portal
from tests.support import FakeClock, device_login


def _portal(emu, monkeypatch) -> Portal:
    """A portal client as the CLI makes it for listing: one attempt per call."""
    monkeypatch.setenv("AWS_ENDPOINT_URL", emu.url)
    return Portal(ClientFactory().client("sso", "us-east-1", attempts=1), "devcreds login")


def _expected(emu) -> list[Role]:
    """Every account and role of the emulator, read directly (no throttle on its state)."""
    return [
        Role(account.account_id, account.name, role)
        for account in emu.emulator.state.directory.values()
        for role in account.roles
    ]


def test_a_throttled_listing_lists_everything_without_an_error(start_emulator, monkeypatch):
    """60 accounts x 2 roles under 20 requests/s: every role, no failure, retries counted by
    the flow and seen by the emulator (its time is bench/'s business)."""
    emu = start_emulator(real_time=True, accounts=60, roles_per_account=2, throttle_rps=20)
    token = device_login(emu)["accessToken"]
    portal = _portal(emu, monkeypatch)
    seen = []
    result = list_roles(portal, token, progress=seen.append)
    assert result.roles == _expected(emu)
    assert result.failures == []
    assert result.accounts == 60
    assert result.retries > 0
    sent = emu.calls("ListAccounts") + emu.calls("ListAccountRoles")
    assert result.calls == sent
    assert sent == 1 + 60 + result.retries  # every retry is one more call the server saw
    # Paced, not hammering: a retry per accepted call would mean the pacer does nothing.
    assert result.retries < 61
    assert seen[-1] == listing.Progress(60, 60, result.calls, result.retries)
    assert [p.accounts_done for p in seen] == sorted(p.accounts_done for p in seen)


def test_without_a_throttle_roles_are_listed_concurrently(start_emulator, monkeypatch):
    """Several calls are in flight at once; the result keeps the portal's order."""
    emu = start_emulator(real_time=True, accounts=60, roles_per_account=2, latency_ms=20)
    token = device_login(emu)["accessToken"]
    in_flight = 0
    most = 0
    lock = threading.Lock()
    respond = emu.emulator.respond

    def counting(request):
        nonlocal in_flight, most
        with lock:
            in_flight += 1
            most = max(most, in_flight)
        try:
            return respond(request)
        finally:
            with lock:
                in_flight -= 1

    monkeypatch.setattr(emu.emulator, "respond", counting)
    result = list_roles(_portal(emu, monkeypatch), token)
    assert result.roles == _expected(emu)
    assert (result.failures, result.retries) == ([], 0)
    assert result.calls == 1 + 60
    assert most > 1
    assert most <= listing.WORKERS


def test_an_account_still_throttled_at_the_deadline_is_a_failure_next_to_the_rest(
    start_emulator, monkeypatch
):
    """One account throttled for good: the others are listed, it is named as a failure, and
    the flow gives up at the deadline (on a fake clock: no real waiting)."""
    emu = start_emulator(accounts=5)
    token = device_login(emu)["accessToken"]
    portal = _portal(emu, monkeypatch)
    real_page = portal.roles_page

    def roles_page(access_token, account_id, next_token=None):
        if account_id == "222222222222":
            raise Throttled("listing roles of account 222222222222 was throttled")
        return real_page(access_token, account_id, next_token)

    monkeypatch.setattr(portal, "roles_page", roles_page)
    clock = FakeClock()
    lock = threading.Lock()

    def sleep(seconds):
        with lock:
            clock.advance(seconds)

    started = clock.now
    result = list_roles(
        portal, token, deadline=30, clock=clock, sleep=sleep, rng=random.Random(7), workers=4
    )
    assert result.roles == [r for r in _expected(emu) if r.account_id != "222222222222"]
    assert [(f.account_id, f.account_name) for f in result.failures] == [
        ("222222222222", "staging")
    ]
    assert isinstance(result.failures[0].error, Throttled)
    assert result.accounts == 5
    assert result.retries > 5  # it kept trying
    # Each thread's sleep moves the shared fake clock, so time runs a little fast here.
    assert 30 <= clock.now - started < 40


def test_a_server_fault_is_retried_once_then_is_the_account_s_failure(start_emulator, monkeypatch):
    """A 500 is sent again once (botocore makes one attempt here); an account that fails
    twice is a failure at once, without waiting for the deadline."""
    emu = start_emulator(accounts=10)
    token = device_login(emu)["accessToken"]
    portal = _portal(emu, monkeypatch)
    real_page = portal.roles_page
    attempts: dict[str, int] = {}
    lock = threading.Lock()

    def roles_page(access_token, account_id, next_token=None):
        with lock:
            attempts[account_id] = attempts.get(account_id, 0) + 1
            first = attempts[account_id] == 1
        if first or account_id == "333333333333":
            raise ServerFault(f"listing roles of account {account_id} was refused")
        return real_page(access_token, account_id, next_token)

    monkeypatch.setattr(portal, "roles_page", roles_page)
    clock = FakeClock()
    result = list_roles(portal, token, clock=clock, sleep=lambda s: None)
    assert result.roles == [r for r in _expected(emu) if r.account_id != "333333333333"]
    assert [f.account_id for f in result.failures] == ["333333333333"]
    assert isinstance(result.failures[0].error, ServerFault)
    assert attempts["333333333333"] == listing.FAULT_ATTEMPTS
    assert result.retries == 10


def test_an_invalid_session_raises_login_required(start_emulator, monkeypatch):
    """UnauthorizedException is no account's failure: the whole listing needs a login."""
    emu = start_emulator()
    with pytest.raises(LoginRequired):
        list_roles(_portal(emu, monkeypatch), "not-a-token")


def test_an_invalid_session_while_listing_roles_stops_the_run(start_emulator, monkeypatch):
    """A LoginRequired from one account's roles ends the whole run (no partial result)."""
    emu = start_emulator(accounts=30)
    token = device_login(emu)["accessToken"]
    portal = _portal(emu, monkeypatch)
    real_page = portal.roles_page

    def roles_page(access_token, account_id, next_token=None):
        if account_id == "400000000010":
            raise LoginRequired("the SSO session is no longer valid")
        return real_page(access_token, account_id, next_token)

    monkeypatch.setattr(portal, "roles_page", roles_page)
    with pytest.raises(LoginRequired):
        list_roles(portal, token)


def test_the_pacer_cuts_once_per_round_and_grows_additively():
    """AIMD: the first throttle sets DECREASE x what was accepted in the last second; a
    throttle of a call sent before that cut does not cut again; successes add up slowly."""
    clock = FakeClock()
    pacer = listing._Pacer(clock, clock.advance)
    for _ in range(20):
        assert pacer.turn() == clock.now  # unpaced until the first throttle
        pacer.accepted()
    sent_before = pacer.turn()
    clock.advance(0.01)
    pacer.throttled(sent_before)
    assert pacer.rate == pytest.approx(20 * listing.DECREASE)
    pacer.throttled(sent_before)  # the same round: no second cut
    assert pacer.rate == pytest.approx(20 * listing.DECREASE)
    later = pacer.turn()  # paced: waits (on the fake clock) for its slot
    assert later > sent_before
    pacer.throttled(later)
    assert pacer.rate == pytest.approx(20 * listing.DECREASE**2)
    rate = pacer.rate
    for _ in range(10):
        pacer.accepted()
    assert rate < pacer.rate < rate + 10 * listing.INCREASE / rate + 1e-9
    floor = listing._Pacer(clock, clock.advance)
    floor.throttled(floor.turn())  # nothing accepted yet: the floor, not zero
    assert floor.rate == listing.MIN_RATE


def test_roles_are_listed_while_later_account_pages_come(start_emulator, monkeypatch):
    """250 accounts are three pages of 100: roles of the first page's accounts are asked for
    before the last page is, and every role still arrives in the portal's order."""
    emu = start_emulator(real_time=True, accounts=250, roles_per_account=1)
    token = device_login(emu)["accessToken"]
    order = []
    respond = emu.emulator.respond

    def recording(request):
        order.append("roles" if request.path == "/assignment/roles" else "accounts")
        return respond(request)

    monkeypatch.setattr(emu.emulator, "respond", recording)
    result = list_roles(_portal(emu, monkeypatch), token)
    assert result.roles == _expected(emu)
    assert order.count("accounts") == 3
    last_page = len(order) - 1 - order[::-1].index("accounts")
    assert "roles" in order[:last_page]
