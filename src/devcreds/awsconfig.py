"""Read the AWS config file the way botocore does, with the standard library only.

``export`` reads this on every call, so no botocore here. Parsing follows
botocore's ``raw_config_parse``: ``RawConfigParser`` (inline ``#`` text stays
in the value, duplicate keys are an error), and a value that starts on the
next line (``s3 =`` and indented ``key = value`` lines) must be such a block.
Sections follow its ``build_profile_map``: ``[profile NAME]`` (the name split
as a shell would, so quotes go; anything but two words is no profile),
``[default]`` (the later of it and ``[profile default]`` wins) and
``[sso-session NAME]``. The shared credentials file is parsed by the same
rules, since botocore reads it for every client. Whatever botocore cannot
parse is a ``UsageError`` naming the file and the line. The SSO checks follow
botocore's ``SSOProvider``: the four keys are required, and a key set in both
the profile and its sso-session must agree.
"""

from __future__ import annotations

import configparser
import shlex
from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple

from devcreds import keys, regions
from devcreds.errors import FileError, UsageError
from devcreds.platforms import HOST


class AwsConfig(NamedTuple):
    path: Path
    profiles: Mapping[str, Mapping[str, str]]
    sso_sessions: Mapping[str, Mapping[str, str]]
    sections: tuple[str, ...] = ()  # as written, e.g. "profile dev"


class SsoSession(NamedTuple):
    """What one login is for: an ``[sso-session]``, or a legacy profile's start URL."""

    name: str | None  # None for a legacy profile that has sso_start_url itself
    start_url: str
    region: str
    scopes: tuple[str, ...] | None  # sso_registration_scopes, as configured
    # The AWS-owned URL a vanity start_url resolves to, set for a login (sso/starturl.py):
    # what the OIDC calls send; start_url stays the cache key and the token's startUrl.
    portal_url: str | None = None

    @property
    def issuer_url(self) -> str:
        return self.portal_url or self.start_url

    @property
    def label(self) -> str:
        return self.name if self.name is not None else self.start_url

    @property
    def token_key(self) -> str:
        """The AWS CLI's token cache key: sha1 of the session name, or of the start URL."""
        return keys.sha1_hex(self.label)


class SsoProfile(NamedTuple):
    name: str
    session: SsoSession
    account_id: str
    role_name: str
    region: str | None


def load(path: Path, credentials_file: Path | None = None) -> AwsConfig:
    """Parse the config file; a missing file is an empty config.

    With ``credentials_file``, that file must parse too (it holds no SSO settings, but
    botocore reads it for every client it makes, and fails on it as on the config)."""
    sections = read_ini(path, "AWS config file")
    if credentials_file is not None:
        read_ini(credentials_file, "AWS credentials file")
    if sections is None:
        return AwsConfig(path, {}, {})
    profiles: dict[str, dict[str, str]] = {}
    sessions: dict[str, dict[str, str]] = {}
    for section, values in sections.items():  # in file order: a later section wins
        if section.startswith("profile"):
            name = _section_name(section)
            if name is not None:
                profiles[name] = values
        elif section.startswith("sso-session"):
            name = _section_name(section)
            if name is not None:
                sessions[name] = values
        elif section == "default":
            profiles["default"] = values
    return AwsConfig(path, profiles, sessions, tuple(sections))


def read_ini(path: Path, what: str) -> dict[str, dict[str, str]] | None:
    """The sections of an AWS config or credentials file as botocore reads them, without the
    nested blocks (``s3 =`` …, botocore's business); None if the file does not exist.

    ``what`` names the file in errors: "AWS config file", "AWS credentials file"."""
    try:
        text = path.read_text(encoding="utf-8")  # universal newlines, as botocore reads it
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise FileError(
            f"cannot read {what} {path}: {_reason(exc)}",
            hint="check the file's permissions and encoding (UTF-8): "
            + HOST.show_permissions(path),
        ) from None
    parser = configparser.RawConfigParser()
    try:
        parser.read_string(text, source=str(path))
    except configparser.Error as exc:
        raise _unparsable(path, what, *parse_problem(exc, text)) from None
    sections: dict[str, dict[str, str]] = {}
    for section in parser.sections():
        values: dict[str, str] = {}
        for key, value in parser.items(section):
            if not value.startswith("\n"):
                values[key] = value
                continue
            bad = next((line.strip() for line in value.splitlines() if _not_nested(line)), None)
            if bad is not None:
                line = _nested_line(text, section, bad)
                raise _unparsable(
                    path, what, line, f"the indented lines under {key} must be key = value lines"
                )
        sections[section] = values
    return sections


def _not_nested(line: str) -> bool:
    """A line botocore's ``_parse_nested`` fails on: not blank and without ``=``."""
    return bool(line.strip()) and "=" not in line


def _section_name(section: str) -> str | None:
    """botocore's ``_parse_section``: the section split as a shell would, and exactly two words."""
    try:
        parts = shlex.split(section)
    except ValueError:  # an unclosed quote
        return None
    return parts[1] if len(parts) == 2 else None


def profile_sections(config: AwsConfig) -> dict[str, str]:
    """Each profile's section as the file spells it (``profile "dev"``, ``default``), found
    as ``load`` finds profiles: a later section wins."""
    spelled: dict[str, str] = {}
    for section in config.sections:
        if section == "default":
            spelled["default"] = section
        elif section.startswith("profile") and (name := _section_name(section)) is not None:
            spelled[name] = section
    return spelled


def ca_bundle(config: AwsConfig, profile: str, environ: Mapping[str, str]) -> str | None:
    """The CA bundle botocore verifies HTTPS with: AWS_CA_BUNDLE, else the profile's
    ``ca_bundle``, taken as written (botocore expands neither ``~`` nor variables)."""
    return environ.get("AWS_CA_BUNDLE") or config.profiles.get(profile, {}).get("ca_bundle")


def parse_problem(exc: configparser.Error, text: str) -> tuple[int | None, str]:
    """The line a configparser error is about, and what is wrong there, never the line itself
    (in the credentials file it may hold a secret key)."""
    lines = text.splitlines()
    if isinstance(exc, configparser.MissingSectionHeaderError | configparser.ParsingError):
        # MissingSectionHeaderError is a ParsingError without the list of errors.
        if isinstance(exc, configparser.MissingSectionHeaderError):
            number: int | None = exc.lineno
        else:
            number = exc.errors[0][0] if exc.errors else None
        line = lines[number - 1] if number and number <= len(lines) else ""
        if number == 1 and line.startswith("\ufeff"):
            return number, "it starts with a byte-order mark (BOM); save it as UTF-8 without one"
        if line.strip().startswith("[") and "]" not in line:
            return number, "the section header is not closed with ]"
        if isinstance(exc, configparser.MissingSectionHeaderError):
            return number, "text before the first [section] header"
        return number, "neither a [section] header, a key = value line nor a comment"
    if isinstance(exc, configparser.DuplicateOptionError | configparser.DuplicateSectionError):
        # configparser notes an unparsable line and reads on, so a duplicate it stops at may
        # come after the real mistake (``[prod`` leaves the next key in the section before).
        earlier = _first_error("\n".join(lines[: (exc.lineno or 1) - 1]))
        if earlier is not None:
            return parse_problem(earlier, text)
        if isinstance(exc, configparser.DuplicateOptionError):
            return exc.lineno, f"{exc.option} is set a second time in [{exc.section}]"
        return exc.lineno, f"[{exc.section}] appears a second time"
    return None, type(exc).__name__


def _first_error(text: str) -> configparser.Error | None:
    try:
        configparser.RawConfigParser().read_string(text)
    except configparser.Error as exc:
        return exc
    return None


def _nested_line(text: str, section: str, bad: str) -> int | None:
    """The number of the first indented line reading ``bad``, in ``section`` if it is there."""
    candidates = []
    in_section = False
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith("[") and line[:1] not in (" ", "\t"):
            in_section = stripped.rstrip("]").lstrip("[") == section
        elif line[:1] in (" ", "\t") and stripped == bad:
            if in_section:
                return number
            candidates.append(number)
    return candidates[0] if candidates else None


def _unparsable(path: Path, what: str, line: int | None, reason: str) -> UsageError:
    where = f", line {line}" if line else ""
    return UsageError(
        f"cannot parse {what} {path}{where}: {reason}",
        hint=f"fix the file by hand; botocore and the AWS CLI reject it too: {path}",
    )


def _reason(exc: BaseException) -> str:
    return getattr(exc, "strerror", None) or str(exc)


def sso_session(config: AwsConfig, name: str) -> SsoSession:
    values = config.sso_sessions.get(name)
    if values is None:
        raise UsageError(
            f"no [sso-session {name}] in {config.path}",
            hint=f"devcreds configure sso --sso-session {name} --start-url URL --sso-region REGION",
        )
    missing = [key for key in ("sso_start_url", "sso_region") if not values.get(key)]
    if missing:
        raise UsageError(
            f"[sso-session {name}] in {config.path} lacks {', '.join(missing)}",
            hint=f"devcreds configure sso --sso-session {name} --start-url URL --sso-region REGION",
        )
    return SsoSession(
        name,
        values["sso_start_url"],
        _region(values, f"[sso-session {name}]", config),
        _scopes(values),
    )


def _region(values: Mapping[str, str], where: str, config: AwsConfig) -> str:
    """sso_region, checked: botocore fails with a traceback-worthy error on a bad one."""
    region = values["sso_region"]
    if not regions.valid(region):
        raise UsageError(
            f"{where} in {config.path} has sso_region {region!r}, which is not a region",
            hint=f"set sso_region to the region of IAM Identity Center, {regions.hint(region)}",
        )
    return region


def _scopes(values: Mapping[str, str]) -> tuple[str, ...] | None:
    raw = values.get("sso_registration_scopes")
    if raw is None:
        return None
    return tuple(scope.strip() for scope in raw.split(",") if scope.strip())


def profile_session(config: AwsConfig, name: str) -> SsoSession:
    """The SSO session a profile logs in with (it need not have an account and role)."""
    values = _profile_values(config, name)
    if "sso_session" in values:
        session = sso_session(config, values["sso_session"])
        for key, value in (("sso_start_url", session.start_url), ("sso_region", session.region)):
            if key in values and values[key] != value:
                raise UsageError(
                    f"profile {name} and [sso-session {session.name}] disagree on {key}",
                    hint=f"remove {key} from [profile {name}] in {config.path}",
                )
        return session
    if values.get("sso_start_url") and values.get("sso_region"):
        region = _region(values, f"profile {name}", config)
        return SsoSession(None, values["sso_start_url"], region, _scopes(values))
    source = next((key for key in _OTHER_SOURCES if values.get(key)), None)
    if source is None:
        raise UsageError(
            f"profile {name} is not an IAM Identity Center (SSO) profile",
            hint=f"devcreds configure sso --profile {name}",
        )
    # Never suggest configuring SSO into it: that would merge SSO keys into a working profile.
    hint = (
        f"log in with its source: devcreds login --profile {values['source_profile']}"
        if source == "source_profile"
        else "devcreds logs in for SSO profiles: devcreds configure sso --profile NEW-NAME ..."
    )
    raise UsageError(
        f"profile {name} gets its credentials from {source}, not from IAM Identity Center",
        hint=hint,
    )


# Keys of profiles whose credentials come from elsewhere than an SSO login.
_OTHER_SOURCES = (
    "source_profile",
    "credential_process",
    "aws_access_key_id",
    "credential_source",
    "web_identity_token_file",
)


def sso_profile(config: AwsConfig, name: str) -> SsoProfile:
    """A profile that yields role credentials: session, account and role all set."""
    session = profile_session(config, name)
    values = _profile_values(config, name)
    missing = [key for key in ("sso_account_id", "sso_role_name") if not values.get(key)]
    if missing:
        raise UsageError(
            f"profile {name} lacks {' and '.join(missing)}",
            hint=f"devcreds configure sso --profile {name} (it offers the roles you can use)",
        )
    return SsoProfile(
        name=name,
        session=session,
        account_id=values["sso_account_id"],
        role_name=values["sso_role_name"],
        region=values.get("region") or None,
    )


# devcreds' own login settings; the AWS CLI ignores keys it does not know.
LOGIN_FLOW_KEY = "devcreds_login_flow"
CALLBACK_PORT_KEY = "devcreds_callback_port"
LOGIN_FLOWS = ("browser", "device-code")


class LoginPreferences(NamedTuple):
    flow: str | None = None  # one of LOGIN_FLOWS
    flow_section: str | None = None  # where it is set: "sso-session corp", "profile dev"
    callback_port: int | None = None


def login_preferences(
    config: AwsConfig, session_name: str | None, profile: str | None
) -> LoginPreferences:
    """``devcreds_login_flow`` and ``devcreds_callback_port``, from the profile's section or
    else its ``[sso-session]``; a value devcreds cannot use is a ``UsageError``."""
    sections: list[tuple[str, Mapping[str, str]]] = []
    if profile is not None and profile in config.profiles:
        sections.append((f"profile {profile}", config.profiles[profile]))
    if session_name is not None and session_name in config.sso_sessions:
        sections.append((f"sso-session {session_name}", config.sso_sessions[session_name]))
    flow = flow_section = port = None
    for section, values in sections:
        if flow is None and LOGIN_FLOW_KEY in values:
            flow, flow_section = values[LOGIN_FLOW_KEY].strip(), section
            if flow not in LOGIN_FLOWS:
                raise UsageError(
                    f"{LOGIN_FLOW_KEY} = {flow} in [{section}] of {config.path} "
                    "is neither browser nor device-code",
                    hint=f"set {LOGIN_FLOW_KEY} = browser or {LOGIN_FLOW_KEY} = device-code",
                )
        if port is None and CALLBACK_PORT_KEY in values:
            text = values[CALLBACK_PORT_KEY].strip()
            if not (text.isdigit() and 1 <= int(text) <= 65535):
                raise UsageError(
                    f"{CALLBACK_PORT_KEY} = {text} in [{section}] of {config.path} "
                    "is not a port number",
                    hint=f"set {CALLBACK_PORT_KEY} to a port from 1 to 65535, e.g. 8400",
                )
            port = int(text)
    return LoginPreferences(flow, flow_section, port)


def _profile_values(config: AwsConfig, name: str) -> Mapping[str, str]:
    values = config.profiles.get(name)
    if values is None:
        known = ", ".join(sorted(config.profiles)) or "none"
        raise UsageError(
            f"profile {name} is not in {config.path} (profiles: {known})",
            hint=f"devcreds configure sso --profile {name}",
        )
    return values


def all_sso_sessions(config: AwsConfig) -> list[SsoSession]:
    """Every SSO session the config can log in with: ``[sso-session]`` sections, then
    legacy profiles with their own start URL; one per token, broken ones skipped."""
    found: dict[str, SsoSession] = {}
    for name in config.sso_sessions:
        try:
            session = sso_session(config, name)
        except UsageError:  # a broken section; `devcreds login` explains it
            continue
        found.setdefault(session.token_key, session)
    for name, values in config.profiles.items():
        if "sso_session" in values or not values.get("sso_start_url"):
            continue
        try:
            session = profile_session(config, name)
        except UsageError:
            continue
        found.setdefault(session.token_key, session)
    return list(found.values())


def sso_profiles(config: AwsConfig) -> list[SsoProfile]:
    """Every profile that is a complete SSO profile; broken ones are skipped."""
    found = []
    for name in config.profiles:
        try:
            found.append(sso_profile(config, name))
        except UsageError:
            continue
    return found


class RoleHop(NamedTuple):
    """A profile that assumes ``role_arn`` with the credentials of ``source_profile``."""

    name: str
    role_arn: str
    source_profile: str
    role_session_name: str | None
    external_id: str | None
    duration_seconds: int | None
    region: str | None


class CredentialChain(NamedTuple):
    """Where a profile's credentials come from: an SSO role, then zero or more AssumeRoles."""

    root: SsoProfile
    hops: tuple[RoleHop, ...]  # from the SSO role outward; the last one is the profile asked for


def credential_chain(config: AwsConfig, name: str) -> CredentialChain:
    """Follow ``source_profile`` down to an SSO profile; a loop is a config error."""
    hops: list[RoleHop] = []
    seen = [name]
    current = name
    while "role_arn" in _profile_values(config, current):
        hop = _role_hop(config, current)
        hops.append(hop)
        if hop.source_profile in seen:
            loop = " -> ".join([*seen, hop.source_profile])
            raise UsageError(
                f"source_profile loop: {loop}",
                hint=f"end the chain at an SSO profile (with sso_session) in {config.path}",
            )
        seen.append(hop.source_profile)
        current = hop.source_profile
    return CredentialChain(sso_profile(config, current), tuple(reversed(hops)))


def _role_hop(config: AwsConfig, name: str) -> RoleHop:
    values = _profile_values(config, name)
    if "credential_source" in values or "mfa_serial" in values:
        key = "credential_source" if "credential_source" in values else "mfa_serial"
        raise UsageError(
            f"profile {name} uses {key}, which devcreds does not support",
            hint=f"use source_profile with an SSO profile in [profile {name}]",
        )
    source = values.get("source_profile")
    if not source:
        raise UsageError(
            f"profile {name} has role_arn but no source_profile",
            hint=f"add source_profile = <an SSO profile> to [profile {name}] in {config.path}",
        )
    duration = values.get("duration_seconds")
    if duration is not None and not (
        duration.isascii() and duration.isdigit() and 900 <= int(duration) <= 43200
    ):
        raise UsageError(
            f"profile {name}: duration_seconds must be 900 to 43200, not {duration!r}",
            hint=f"fix duration_seconds in [profile {name}] of {config.path}",
        )
    return RoleHop(
        name=name,
        role_arn=values["role_arn"],
        source_profile=source,
        role_session_name=values.get("role_session_name") or None,
        external_id=values.get("external_id") or None,
        duration_seconds=int(duration) if duration else None,
        region=values.get("region") or None,
    )


def profile_region(config: AwsConfig, name: str) -> str | None:
    """The profile's own region, else the region of the profile its credentials come from."""
    chain = credential_chain(config, name)
    for hop in reversed(chain.hops):
        if hop.region:
            return hop.region
    return chain.root.region
