"""A sign-in to the AWS Management Console with role credentials, through the AWS federation
endpoint, as aws-vault (``login``), granted (``assume -c``) and aws-sso-util
(``console launch``) do it:

1. ``getSigninToken``: the credentials, as the JSON ``{"sessionId", "sessionKey",
   "sessionToken"}`` in ``Session``, go to ``https://signin.aws.amazon.com/federation``,
   which answers ``{"SigninToken": "..."}``;
2. ``login``: ``<endpoint>?Action=login&Issuer=…&Destination=…&SigninToken=…`` is the URL a
   browser opens. It is valid for 15 minutes and signs in whoever opens it: a secret, never
   logged here.

The rules, from the IAM User Guide ("Enable custom identity broker access to the AWS
console"), the General Reference ("AWS Sign-In endpoints") and the Knowledge Center
("invalid-credentials-parameter"):

* ``SessionDuration`` is never sent. Without it the console session lasts as long as the
  credentials do; with it, credentials from role chaining (a role assumed with role
  credentials, as every ``source_profile`` hop is) are refused with a 400. aws-vault and
  granted leave it out too.
* ``getSigninToken`` is a POST with a form body, which AWS documents as accepted (and
  aws-sso-util sends): the secret stays out of the request line, where proxies, servers and
  error messages keep URLs. The login URL is a GET, since a browser opens it.
* The endpoint is the region's: ``signin.aws.amazon.com`` for us-east-1 and
  ``REGION.signin.aws.amazon.com`` for the other commercial regions (granted and aws-sso-util
  do the same); ``signin.amazonaws-us-gov.com`` for us-gov-west-1 and
  ``us-gov-east-1.signin.amazonaws-us-gov.com``; ``signin.amazonaws.cn`` for China. The ISO
  partitions and the European Sovereign Cloud have no endpoint known here: the caller must
  name one.
* ``Issuer`` is where the console sends a person whose session ended: the access portal.
"""

from __future__ import annotations

import json
import logging
import ssl
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from typing import NamedTuple
from urllib.parse import urlsplit

from devcreds import __version__, regions
from devcreds.cache import RoleCredentials
from devcreds.errors import (
    AwsRefused,
    DevcredsError,
    NetworkError,
    ServerFault,
    Throttled,
    UsageError,
)
from devcreds.sso import starturl

log = logging.getLogger(__name__)

# Variables that send one AWS service elsewhere; credentials from there are not AWS's.
_SERVICE_ENDPOINT_VARIABLES = ("AWS_ENDPOINT_URL_SSO", "AWS_ENDPOINT_URL_STS")

# The variable that names the federation endpoint.
ENDPOINT_VARIABLE = "DEVCREDS_FEDERATION_ENDPOINT"
TIMEOUT = 10.0  # seconds for the one getSigninToken call (the start URL check's budget)
LOGIN_URL_MINUTES = 15  # how long AWS honours a login URL


class Partition(NamedTuple):
    name: str
    signin_host: str  # the partition's global sign-in host
    console_host: str
    regional_signin: bool  # regions other than the global host's have REGION.<signin_host>
    global_region: str  # the region the global sign-in host serves


_AWS = Partition("aws", "signin.aws.amazon.com", "console.aws.amazon.com", True, "us-east-1")
_GOV = Partition(
    "aws-us-gov",
    "signin.amazonaws-us-gov.com",
    "console.amazonaws-us-gov.com",
    True,
    "us-gov-west-1",
)
# China: amazonaws.cn, not the API's amazonaws.com.cn; no regional sign-in host is documented.
_CN = Partition("aws-cn", "signin.amazonaws.cn", "console.amazonaws.cn", False, "cn-north-1")


def partition(region: str) -> Partition | None:
    """The partition of ``region``, if it has a console sign-in known here."""
    if region.startswith("cn-"):
        return _CN
    if region.startswith("us-gov-"):
        return _GOV
    words = region.split("-")
    if words[0] == "eusc" or (len(words) > 1 and words[1].startswith("iso")):
        return None  # aws-eusc, aws-iso, aws-iso-b, aws-iso-e, aws-iso-f
    return _AWS


def _known(region: str) -> Partition:
    if not regions.valid(region):
        raise UsageError(f"{region!r} is not an AWS region", hint=regions.hint(region))
    found = partition(region)
    if found is None:
        raise UsageError(
            f"devcreds knows no console sign-in for region {region}",
            hint=f"set {ENDPOINT_VARIABLE} to its federation endpoint and give "
            "--destination with its console URL",
        )
    return found


def federation_endpoint(region: str | None, partition_region: str) -> str:
    """The federation endpoint of ``region`` (see the module docstring), else the global one
    of the partition of ``partition_region``."""
    known = _known(region or partition_region)
    if region is not None and known.regional_signin and region != known.global_region:
        return f"https://{region}.{known.signin_host}/federation"
    return f"https://{known.signin_host}/federation"


def endpoint(
    environ: Mapping[str, str],
    values: Mapping[str, str],
    section: str,
    region: str | None,
    sso_region: str,
) -> str:
    """DEVCREDS_FEDERATION_ENDPOINT; else, when the AWS endpoints are redirected (an emulator,
    LocalStack), that endpoint's /federation, since credentials from there must never go to
    AWS; else the region's endpoint at AWS. ``values`` are the profile's, from ``section``."""
    variable = ENDPOINT_VARIABLE
    configured = environ.get(variable)
    if configured:
        parts = urlsplit(configured)
        if not starturl.acceptable(configured) or parts.query or parts.fragment:
            raise UsageError(
                f"{variable}={configured} is not an https URL (http only on loopback) "
                "without a query",
                hint=f"set {variable} to e.g. https://signin.aws.amazon.com/federation",
            )
        return configured
    ignored = (
        environ.get("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")
        or values.get("ignore_configured_endpoint_urls")
        or ""
    )
    if ignored.lower() != "true":
        base = environ.get("AWS_ENDPOINT_URL") or values.get("endpoint_url")
        if base:
            # The credentials came from there; that service's sign-in is beside them.
            return base.rstrip("/") + "/federation"
        elsewhere = [
            f"{name}={environ[name]}" for name in _SERVICE_ENDPOINT_VARIABLES if environ.get(name)
        ]
        if values.get("services"):
            elsewhere.append(f"services = {values['services']} in {section}")
        if elsewhere:
            raise UsageError(
                f"the credentials come from {elsewhere[0]}, not from AWS, so devcreds does "
                "not send them to the AWS sign-in endpoint",
                hint=f"set {variable} to that service's federation endpoint "
                "(the devcreds emulator's is its URL + /federation)",
            )
    return federation_endpoint(region, sso_region)


def destination(region: str | None, given: str | None, partition_region: str) -> str:
    """Where the console opens: ``given`` (a URL, or a path on the region's console), else
    the console home of ``region``, else the partition's console (of ``partition_region``)."""
    if given and not given.startswith("/"):
        if not starturl.acceptable(given):
            raise UsageError(
                f"--destination {given} is not an https URL or a path such as /s3/home",
                hint="devcreds console --destination https://console.aws.amazon.com/s3/home",
            )
        return given
    if region is None:
        base = f"https://{_known(partition_region).console_host}"
        return base + (given or "/")
    known = _known(region)
    host = known.console_host
    if known.name == "aws":
        host = f"{region}.{host}"  # the Management Console's regional endpoints
    if given:
        return f"https://{host}{given}"
    return f"https://{host}/console/home?region={region}"


def login_url(
    creds: RoleCredentials,
    *,
    endpoint: str,
    destination: str,
    issuer: str,
    whose: str,
    refused_hint: str,
    ca_bundle: str | None = None,
    timeout: float = TIMEOUT,
) -> str:
    """The console login URL for ``creds``: one getSigninToken call at ``endpoint``.
    ``whose`` names the credentials in messages ("profile dev")."""
    token = _signin_token(creds, endpoint, whose, refused_hint, ca_bundle, timeout)
    query = urllib.parse.urlencode(
        {"Action": "login", "Issuer": issuer, "Destination": destination, "SigninToken": token}
    )
    log.debug("sign-in token received; the login URL carries it and is not logged")
    return f"{endpoint}?{query}"


def _signin_token(
    creds: RoleCredentials,
    endpoint: str,
    whose: str,
    refused_hint: str,
    ca_bundle: str | None,
    timeout: float,
) -> str:
    """getSigninToken, its failures translated here and only here. Neither the request nor
    the answer's body ever reaches a message or the log."""
    host = urllib.parse.urlsplit(endpoint).netloc
    session = json.dumps(
        {
            "sessionId": creds.access_key_id,
            "sessionKey": creds.secret_access_key,
            "sessionToken": creds.session_token,
        }
    )
    body = urllib.parse.urlencode({"Action": "getSigninToken", "Session": session}).encode()
    request = urllib.request.Request(  # noqa: S310 - https, or http on loopback / the emulator
        endpoint,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": "application/json",
            "User-Agent": f"devcreds/{__version__}",
        },
    )
    opener = urllib.request.build_opener(
        starturl.NoRedirects(), urllib.request.HTTPSHandler(context=_tls(ca_bundle))
    )
    log.debug("getSigninToken at %s", endpoint)
    try:
        with opener.open(request, timeout=timeout) as response:
            answer = response.read()
    except urllib.error.HTTPError as exc:
        raise _refusal(exc.code, host, whose, refused_hint) from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise NetworkError(
            f"cannot reach the AWS sign-in endpoint {host}: {reason}",
            hint=f"check the network, proxy (HTTPS_PROXY), AWS_CA_BUNDLE and {ENDPOINT_VARIABLE}",
        ) from None
    try:
        token = json.loads(answer)["SigninToken"]
    except (ValueError, TypeError, KeyError, RecursionError):
        token = None
    if not isinstance(token, str) or not token:
        raise ServerFault(
            f"the AWS sign-in endpoint {host} answered without a sign-in token",
            hint=f"check {ENDPOINT_VARIABLE}, or retry",
        )
    return token


def _refusal(status: int, host: str, whose: str, refused_hint: str) -> DevcredsError:
    detail = f"HTTP {status}"
    if status == 429:
        return Throttled(
            f"the AWS sign-in endpoint {host} was throttled ({detail})",
            hint="retry in a minute",
        )
    if status >= 500:
        return ServerFault(f"the AWS sign-in endpoint {host} failed ({detail})", hint="retry")
    if status in (404, 405) or 300 <= status < 400:
        return UsageError(
            f"{host} has no federation endpoint at this address ({detail})",
            hint=f"set {ENDPOINT_VARIABLE} to a federation endpoint, "
            "e.g. https://signin.aws.amazon.com/federation",
        )
    # 400 is how the endpoint refuses credentials (invalid, expired, or not a role's).
    return AwsRefused(
        f"the AWS sign-in endpoint {host} refused the credentials of {whose} ({detail})",
        hint=refused_hint,
    )


def _tls(ca_bundle: str | None) -> ssl.SSLContext:
    """The system's trust store, or ``ca_bundle`` instead (AWS_CA_BUNDLE, ``ca_bundle``), as
    botocore takes it."""
    try:
        return ssl.create_default_context(cafile=ca_bundle)
    except (OSError, ssl.SSLError):
        raise UsageError(
            f"the CA bundle {ca_bundle} cannot be read as PEM certificates",
            hint="fix AWS_CA_BUNDLE (or ca_bundle in the AWS config file)",
        ) from None
