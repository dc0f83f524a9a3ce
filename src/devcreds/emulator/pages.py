"""The HTML a user sees in the browser: device verification, sign-in consent, and the
console sign-in of the federation endpoint.

Plain forms that POST back, so any real browser (or an HTTP client) can press
Allow or Deny.
"""

from __future__ import annotations

from html import escape

_STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;color:#16191f}"
    "h1{font-size:1.4rem}.code{font:600 1.6rem monospace;letter-spacing:.2rem}"
    "button{font-size:1rem;padding:.5rem 1.5rem;margin-right:1rem;cursor:pointer}"
    "#allow{background:#ff9900;border:1px solid #ec7211}"
)


def _page(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)} - devcreds IAM Identity Center emulator</title>"
        f"<style>{_STYLE}</style></head><body>{body}</body></html>"
    )


def _buttons() -> str:
    return (
        '<button id="allow" name="decision" value="allow" type="submit">Allow</button>'
        '<button id="deny" name="decision" value="deny" type="submit">Deny</button>'
    )


def device(user_code: str) -> str:
    if not user_code:
        form = (
            '<form method="post" action="/device"><p><label>Code '
            '<input id="user_code" name="user_code" autofocus></label></p>'
            f"{_buttons()}</form>"
        )
        return _page("Authorize request", f"<h1>Enter the code shown by your tool</h1>{form}")
    code = escape(user_code)
    form = (
        f'<form method="post" action="/device"><input type="hidden" name="user_code" '
        f'value="{code}">{_buttons()}</form>'
    )
    body = (
        "<h1>Authorize request</h1><p>Confirm that your tool shows this code:</p>"
        f'<p class="code" id="code">{code}</p>{form}'
    )
    return _page("Authorize request", body)


def authorize(request_id: str, client_id: str, scopes: tuple[str, ...]) -> str:
    asked = ", ".join(escape(s) for s in scopes) or "default access"
    body = (
        "<h1>Allow access?</h1>"
        f"<p>Client <code>{escape(client_id)}</code> asks to sign in as you with: {asked}.</p>"
        '<form method="post" action="/authorize">'
        f'<input type="hidden" name="request_id" value="{escape(request_id)}">'
        f"{_buttons()}</form>"
    )
    return _page("Allow access", body)


def message(title: str, text: str) -> str:
    return _page(title, f'<h1 id="result">{escape(title)}</h1><p>{escape(text)}</p>')


def console_signed_in(
    account_id: str, account_name: str | None, role: str, arn: str, destination: str
) -> str:
    """The answer to a console login. The real endpoint redirects to the destination; the
    emulator names the role session instead and does not go there (it is the real console)."""
    account = f"{account_id} ({account_name})" if account_name else account_id
    body = (
        '<h1 id="result">Signed in to the AWS console</h1>'
        f'<p>Role <b id="role">{escape(role)}</b> in account <b id="account">'
        f"{escape(account)}</b>.</p>"
        f'<p>Session <code id="arn">{escape(arn)}</code></p>'
        f'<p>The AWS console would open <code id="destination">{escape(destination)}</code>; '
        "this emulator does not go there.</p>"
    )
    return _page("Signed in to the AWS console", body)


def index() -> str:
    body = (
        "<h1>devcreds IAM Identity Center emulator</h1>"
        "<p>Point AWS clients here with <code>AWS_ENDPOINT_URL</code>. It serves SSO OIDC, "
        "the SSO portal, STS and the console federation endpoint (<code>/federation</code>); "
        '<a href="/device">/device</a> approves a device code; '
        '<a href="/_emulator/stats">/_emulator/stats</a> counts calls.</p>'
    )
    return _page("Emulator", body)
