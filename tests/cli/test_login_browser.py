"""``devcreds login`` through the browser (authorization code + PKCE) against the emulator.

The browser is ``tests/browser/follow.py`` (as ``BROWSER``): it opens the authorize URL,
presses the emulator's Allow or Deny, and delivers the redirect to devcreds' listener.
"""

from __future__ import annotations

import json
import re
import socket
from pathlib import Path

import pytest

from devcreds import keys
from tests.browser.follow import follow
from tests.support import START_URL


def _grants(cli):
    return cli.emu.stats()["grants"]


def _registration(cli):
    key = keys.registration_key(START_URL, "us-east-1", ("sso:account:access",), "corp")
    return json.loads((cli.sso_cache / f"{key}.json").read_text())


def test_browser_login_is_the_default(cli):
    """A plain login opens the browser: one authorization_code CreateToken, the token cached
    and a registration the AWS CLI's browser flow reuses; the tab says it may be closed."""
    completed = cli.run("login", "--profile", "dev", **cli.browser())
    assert completed.returncode == 0, completed.stderr
    assert "Signing in through the browser: the default" in completed.stderr
    assert _grants(cli) == {"authorization_code": 1}
    assert cli.emu.calls("CreateToken") == 1
    assert cli.emu.calls("StartDeviceAuthorization") == 0
    registration = _registration(cli)
    assert registration["grantTypes"] == ["authorization_code", "refresh_token"]
    assert registration["scopes"] == ["sso:account:access"]
    (seen,) = cli.emu.emulator.state.registrations.values()
    assert seen.redirect_uris == ("http://127.0.0.1/oauth/callback",)
    assert [s for s in cli.followed() if s["step"] == "callback"] == [
        {"step": "callback", "port": seen_port(cli), "status": 200, "title": "Signed in - devcreds"}
    ]
    assert cli.export()["AccountId"] == "111111111111"  # the cached token serves


def seen_port(cli):
    (step,) = [s for s in cli.followed() if s["step"] == "callback"]
    return step["port"]


def _callbacks(cli, runs=1):
    return [step for step in cli.followed(runs) if step["step"] == "callback"]


def test_a_device_registration_is_not_reused_for_the_browser(logged_in):
    """A device-flow registration lacks authorization_code: the browser login registers
    again, as the AWS CLI does, and its registration then serves the next browser login."""
    assert "grantTypes" not in _registration(logged_in)
    logged_in.ok("login", "--profile", "dev", **logged_in.browser())
    assert logged_in.emu.calls("RegisterClient") == 2
    assert _registration(logged_in)["grantTypes"] == ["authorization_code", "refresh_token"]
    logged_in.ok("login", "--profile", "dev", **logged_in.browser())
    assert logged_in.emu.calls("RegisterClient") == 2
    assert _grants(logged_in) == {"device_code": 1, "authorization_code": 2}


def test_deny_is_exit_4_with_a_clear_page(make_cli):
    """Deny on the consent page: the tab says so, the login exits 4, nothing is redeemed."""
    cli = make_cli(auto_approve=False)
    cli.configure()
    completed = cli.run("login", "--profile", "dev", **cli.browser(decision="deny"))
    assert completed.returncode == 4
    assert "error: the sign-in request was denied" in completed.stderr
    assert "hint: devcreds login --profile dev" in completed.stderr
    assert [(s["status"], s["title"]) for s in _callbacks(cli)] == [
        (200, "Sign-in denied - devcreds")
    ]
    assert cli.emu.calls("CreateToken") == 0
    assert not (cli.sso_cache / f"{keys.sha1_hex('corp')}.json").exists()  # no token


def test_a_wrong_state_is_refused_and_the_login_keeps_waiting(make_cli):
    """A redirect with another state gets a refusal page and redeems nothing; the right one,
    after it, completes the login."""
    cli = make_cli(auto_approve=False)
    cli.configure()
    completed = cli.run("login", "--profile", "dev", **cli.browser(state="wrong-first"))
    assert completed.returncode == 0, completed.stderr
    assert [(s["status"], s["title"]) for s in _callbacks(cli)] == [
        (400, "Not this sign-in - devcreds"),
        (200, "Signed in - devcreds"),
    ]
    assert _grants(cli) == {"authorization_code": 1}


def _listening(port):
    """The local addresses listening on ``port``, from the kernel's socket tables."""
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for row in Path(table).read_text().splitlines()[1:]:
            local, state = row.split()[1], row.split()[3]
            address, hex_port = local.split(":")
            if state == "0A" and int(hex_port, 16) == port:  # 0A: LISTEN
                found.append(address)
    return found


def _read_until(stream, pattern):
    for line in stream:
        match = re.search(pattern, line)
        if match:
            return match
    raise AssertionError(f"no line matched {pattern}")


@pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="reads Linux's socket tables")
def test_no_browser_prints_the_link_and_listens_on_loopback_only(cli):
    """--no-browser prints the authorize URL; the listener is bound to 127.0.0.1 alone (the
    kernel's table says so) before anyone opens it, and is gone once the redirect came."""
    process = cli.popen("login", "--profile", "dev", "--browser", "--no-browser")
    port = int(_read_until(process.stderr, r"at http://127\.0\.0\.1:(\d+)/oauth/callback")[1])
    url = _read_until(process.stderr, r"^  (http://\S+/authorize\?\S+)$")[1]
    assert _listening(port) == ["0100007F"]  # 127.0.0.1, and no other address or IPv6
    assert f"redirect_uri=http%3A%2F%2F127.0.0.1%3A{port}%2Foauth%2Fcallback" in url
    steps = follow(url, log=cli.follow_log)
    _, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    assert [s["title"] for s in steps if s["step"] == "callback"] == ["Signed in - devcreds"]
    assert _listening(port) == []
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=2).close()


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_callback_port_is_honoured(cli):
    """--callback-port N: the redirect comes to 127.0.0.1:N."""
    port = _free_port()
    completed = cli.run("login", "--profile", "dev", "--callback-port", str(port), **cli.browser())
    assert completed.returncode == 0, completed.stderr
    assert f"Waiting for the sign-in at http://127.0.0.1:{port}/oauth/callback" in completed.stderr
    assert [s["port"] for s in _callbacks(cli)] == [port]


def test_a_busy_callback_port_is_a_clear_error(cli):
    """A port something else listens on: exit 5 naming it, with the ways out."""
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        port = other.getsockname()[1]
        completed = cli.run("login", "--profile", "dev", "--callback-port", str(port))
    assert completed.returncode == 5
    assert (
        f"error: cannot listen on 127.0.0.1:{port} for the browser's sign-in redirect: "
        "the port is in use" in completed.stderr
    )
    assert "--callback-port N" in completed.stderr
    assert "devcreds login --profile dev --use-device-code" in completed.stderr
    assert cli.emu.calls("CreateToken") == 0


def test_time_out_is_exit_3(make_cli):
    """Nobody completes the sign-in: after the time-out (600 s, here 1 s) exit 3 and a hint."""
    cli = make_cli(auto_approve=False)
    cli.configure()
    completed = cli.run(
        "login", "--profile", "dev", "--browser", "--no-browser", DEVCREDS_LOGIN_TIMEOUT="1"
    )
    assert completed.returncode == 3
    assert "error: no sign-in reached devcreds within 1 s" in completed.stderr
    assert "devcreds login --profile dev --use-device-code" in completed.stderr
    assert "Traceback" not in completed.stderr


BROWSER_FLOW = {"authorization_code": 1}
DEVICE_FLOW = {"device_code": 1}
SSH = {"SSH_CONNECTION": "192.0.2.1 50000 192.0.2.2 22"}


@pytest.mark.parametrize(
    ("args", "env", "grants", "reason"),
    [
        ((), {**SSH, "browser": "1"}, DEVICE_FLOW, "device code: this is an SSH session"),
        ((), {}, DEVICE_FLOW, "device code: no display, DISPLAY and WAYLAND_DISPLAY are unset"),
        ((), {"DISPLAY": ":99", "PATH": "/nonexistent"}, DEVICE_FLOW, "no web browser found"),
        (("--use-device-code",), {"browser": "1"}, DEVICE_FLOW, "--use-device-code given"),
        (("--browser",), {**SSH, "browser": "1"}, BROWSER_FLOW, "browser: --browser given"),
        ((), {"DISPLAY": ":99", "browser": "1"}, BROWSER_FLOW, "browser: the default"),
    ],
    ids=["ssh", "no-display", "no-browser-found", "use-device-code", "browser-over-ssh", "x11"],
)
def test_the_flow_is_chosen_by_flags_and_surroundings(cli, args, env, grants, reason):
    """Each situation picks its flow (as the emulator saw it) and says why in one line."""
    if env.pop("browser", None):
        env = {**env, **cli.browser()}
    completed = cli.run("login", "--profile", "dev", *args, **env)
    assert completed.returncode == 0, completed.stderr
    assert _grants(cli) == grants
    (line,) = [line for line in completed.stderr.splitlines() if line.startswith("Signing in")]
    assert reason in line


def _set(cli, section, *lines):
    text = cli.config.read_text()
    header = f"[{section}]\n"
    assert header in text
    cli.config.write_text(text.replace(header, header + "".join(f"{x}\n" for x in lines)))


def test_the_config_preference_is_honoured(cli):
    """devcreds_login_flow in [sso-session] picks the device code where a browser would
    open; in [profile] it wins, with devcreds_callback_port, even over SSH."""
    _set(cli, "sso-session corp", "devcreds_login_flow = device-code")
    completed = cli.run("login", "--profile", "dev", **cli.browser())
    assert completed.returncode == 0, completed.stderr
    assert "device code: devcreds_login_flow in [sso-session corp]" in completed.stderr
    assert _grants(cli) == DEVICE_FLOW
    port = _free_port()
    _set(cli, "profile dev", "devcreds_login_flow = browser", f"devcreds_callback_port = {port}")
    completed = cli.run("login", "--profile", "dev", **SSH, **cli.browser())
    assert completed.returncode == 0, completed.stderr
    assert "browser: devcreds_login_flow in [profile dev]" in completed.stderr
    assert [s["port"] for s in _callbacks(cli)] == [port]
    assert _grants(cli) == {**DEVICE_FLOW, **BROWSER_FLOW}


def test_a_bad_config_preference_is_a_usage_error(cli):
    _set(cli, "sso-session corp", "devcreds_login_flow = sometimes")
    completed = cli.run("login", "--profile", "dev")
    assert completed.returncode == 2
    assert "devcreds_login_flow = sometimes in [sso-session corp]" in completed.stderr
    assert "hint: set devcreds_login_flow = browser or devcreds_login_flow = device-code" in (
        completed.stderr
    )


def test_a_second_login_waits_for_the_first_and_uses_its_session(cli):
    """While one login waits for the browser, a second says so and waits; when the first
    completes, the second uses its token: one sign-in, one CreateToken."""
    first = cli.popen("login", "--profile", "dev", "--browser", "--no-browser")
    url = _read_until(first.stderr, r"^  (http://\S+/authorize\?\S+)$")[1]
    second = cli.popen("login", "--profile", "dev", "--browser", "--no-browser")
    _read_until(second.stderr, r"Another login to corp is in progress \(process \d+\)")
    follow(url, log=cli.follow_log)
    assert first.wait(timeout=30) == 0
    _, err = second.communicate(timeout=30)
    assert second.returncode == 0, err
    assert "The other login finished; this one uses its session." in err
    assert _grants(cli) == BROWSER_FLOW
