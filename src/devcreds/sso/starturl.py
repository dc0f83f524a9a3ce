"""Vanity start URLs, resolved as the AWS CLI v2 does (2.35.13 and later).

A start URL on a host AWS does not own (``https://sso.example.com``) is followed
one redirect to the AWS-owned portal URL, which is what the OIDC calls send as
``startUrl``/``issuerUrl``; the configured URL stays the cache key, so the
AWS CLI and devcreds keep finding each other's token. The rules (the owned
domains, one HEAD with a GET fallback, at most one redirect, the region in the
host name) are the AWS CLI's (``awscli/customizations/sso/resolve.py``), with
one addition: plain http is accepted for a loopback host, where only a local
emulator can be.
"""

from __future__ import annotations

import ipaddress
import re
import urllib.error
import urllib.parse
import urllib.request
from typing import NamedTuple

from devcreds.errors import NetworkError, UsageError

_OWNED_SUFFIXES = (
    ".app.aws",
    ".portal.amazonaws.com",
    ".portal.amazonaws.com.cn",
    ".app.amazonwebservices.com.cn",
    ".portal.amazonaws.eu",
    ".api.amazonwebservices.eu",
    ".awsapps.com",
    ".awsapps.cn",
)
_OWNED_EXACT = (
    "identitycenter.amazonaws.com",
    "identitycenter.amazonaws.com.cn",
    "identitycenter.amazonaws.eu",
    "identitycenter.us-gov.amazonaws.com",
)
_REGION_IN_HOST = tuple(
    re.compile(pattern, re.IGNORECASE)
    for pattern in (
        r"^[^.]+\.portal\.(?P<region>[a-z0-9-]+)\.app\.aws$",
        r"^[^.]+\.(?P<region>[a-z0-9-]+)\.portal\.amazonaws\.com$",
        r"^[^.]+\.(?P<region>[a-z0-9-]+)\.portal\.amazonaws\.com\.cn$",
        r"^[^.]+\.portal\.(?P<region>[a-z0-9-]+)\.app\.amazonwebservices\.com\.cn$",
        r"^[^.]+\.(?P<region>[a-z0-9-]+)\.portal\.amazonaws\.eu$",
        r"^[^.]+\.portal\.(?P<region>[a-z0-9-]+)\.api\.amazonwebservices\.eu$",
    )
)
_REDIRECTS = (301, 302, 303, 307, 308)
_DEFAULT_PORTS = {"https": 443, "http": 80}
TIMEOUT = 10.0  # the AWS CLI's


class Resolved(NamedTuple):
    start_url: str  # what the OIDC calls send
    region: str


def aws_owned(hostname: str) -> bool:
    name = hostname.lower().rstrip(".")
    return name in _OWNED_EXACT or any(
        name == suffix.lstrip(".") or name.endswith(suffix) for suffix in _OWNED_SUFFIXES
    )


def acceptable(start_url: str) -> bool:
    """https with a host; plain http only on a loopback host (a local emulator)."""
    parsed = urllib.parse.urlsplit(start_url)
    host = parsed.hostname or ""
    return bool(host) and (
        parsed.scheme == "https" or (parsed.scheme == "http" and _loopback(host))
    )


def resolve(start_url: str, region: str | None, *, timeout: float = TIMEOUT) -> Resolved:
    """The AWS-owned start URL and region for a configured one (unchanged if AWS-owned)."""
    parsed = urllib.parse.urlsplit(start_url)
    host = parsed.hostname or ""
    hint = "set sso_start_url to your AWS access portal URL (devcreds configure sso)"
    if not acceptable(start_url):
        raise UsageError(f"sso_start_url {start_url} must be an https URL", hint=hint)
    if aws_owned(host):
        if not region:
            raise UsageError(
                f"no sso_region for {start_url}", hint="devcreds configure sso --sso-region REGION"
            )
        return Resolved(start_url, region)
    final = _normalized(_follow(start_url, timeout))
    final_host = urllib.parse.urlsplit(final).hostname or ""
    if not aws_owned(final_host) or urllib.parse.urlsplit(final).scheme != "https":
        raise UsageError(
            f"the start URL {start_url} leads to {final}, which is not an AWS access portal",
            hint=hint,
        )
    found = next((m.group("region") for p in _REGION_IN_HOST if (m := p.match(final_host))), None)
    if not (found or region):
        raise UsageError(
            f"cannot tell the region of {start_url}",
            hint="devcreds configure sso --sso-region REGION",
        )
    return Resolved(final, found or region or "")


def _loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


class NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect comes back as the answer (an HTTPError with its Location), not followed:
    here one redirect is read on purpose; console's federation endpoint must not redirect."""

    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def _follow(url: str, timeout: float) -> str:
    """One redirect at most, HEAD first and GET where HEAD is not allowed (the AWS CLI's)."""
    opener = urllib.request.build_opener(NoRedirects())
    for method in ("HEAD", "GET"):
        try:
            request = urllib.request.Request(url, method=method)  # noqa: S310 - https/http only
            with opener.open(request, timeout=timeout):
                return url  # no redirect: the URL is its own
        except urllib.error.HTTPError as exc:
            if exc.code in _REDIRECTS:
                location = exc.headers.get("Location")
                if not location:
                    break
                return urllib.parse.urljoin(url, location)
            if method == "HEAD" and exc.code in (405, 501):
                continue
            # 4xx: the URL is wrong (exit 2); anything else: the server is in trouble (exit 5).
            kind = UsageError if 400 <= exc.code < 500 else NetworkError
            raise kind(
                f"resolving the start URL {url} failed: HTTP {exc.code}",
                hint="check sso_start_url in your AWS config file",
            ) from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise NetworkError(
                f"cannot reach the start URL {url}: {reason}",
                hint="check your network, or sso_start_url in your AWS config file",
            ) from None
    raise NetworkError(
        f"the start URL {url} redirects without a Location", hint="check sso_start_url"
    )


def _normalized(url: str) -> str:
    parsed = urllib.parse.urlsplit(url)
    netloc = parsed.hostname or ""
    if parsed.port and parsed.port != _DEFAULT_PORTS.get(parsed.scheme):
        netloc = f"{netloc}:{parsed.port}"
    return urllib.parse.urlunsplit((parsed.scheme, netloc, parsed.path.rstrip("/"), "", ""))
