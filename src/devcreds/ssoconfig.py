"""``configure sso``'s change to the AWS config file, worked out before it is made.

A new ``[sso-session]`` or ``[profile]`` is simply written. Changing what
already exists is said first (``conflicts``), because one ``[sso-session]``
serves every profile that names it, and a profile that assumes a role or holds
keys stops doing so once it is an SSO profile: the CLI asks, or wants
``--force``. Sections are found as botocore finds them, quoted names too
(``[profile "dev"]``), so nothing is appended twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from devcreds import inifile
from devcreds.awsconfig import AwsConfig

# Keys that make a profile something other than an SSO profile.
_OTHER_SOURCES = (
    "role_arn",
    "source_profile",
    "credential_source",
    "credential_process",
    "aws_access_key_id",
    "web_identity_token_file",
)
_SESSION_KEYS = ("sso_start_url", "sso_region", "sso_registration_scopes")


@dataclass(frozen=True)
class Plan:
    path: Path
    changes: dict[str, dict[str, str]]  # section as the file spells it -> values
    profile_section: str
    conflicts: list[str]  # what would change in sections that exist, one line each


def plan(
    config: AwsConfig,
    profile: str,
    sso_session: str,
    session_values: dict[str, str],
    profile_values: dict[str, str] | None,
) -> Plan:
    """The sections to write for ``profile`` and ``sso_session``, and what that would change."""
    conflicts = []
    session_section = _spelled(config, "sso-session", sso_session) or f"sso-session {sso_session}"
    existing = config.sso_sessions.get(sso_session)
    if existing is not None:
        users = sorted(n for n, v in config.profiles.items() if v.get("sso_session") == sso_session)
        for key in _SESSION_KEYS:
            old, new = existing.get(key), session_values.get(key)
            if old is not None and new is not None and old != new:
                conflicts.append(
                    f"[{session_section}] {key} would change from {old} to {new}"
                    + (f" for profiles {', '.join(users)}" if users else "")
                )
    changes = {session_section: session_values}
    profile_section = _spelled(config, "profile", profile) or (
        "default" if profile == "default" else f"profile {profile}"
    )
    if profile_values is not None:
        current = config.profiles.get(profile, {})
        others = [key for key in _OTHER_SOURCES if key in current]
        if others:
            conflicts.append(
                f"[{profile_section}] gets its credentials from {', '.join(others)}; "
                "it would become an SSO profile (those keys are kept but no longer used)"
            )
        changes[profile_section] = profile_values
    return Plan(config.path, changes, profile_section, conflicts)


def write(plan: Plan) -> bool:
    """Make the change; True if the file changed."""
    return inifile.update(plan.path, plan.changes)


def _spelled(config: AwsConfig, kind: str, name: str) -> str | None:
    """How the file spells the section of ``name`` (the last one wins, as in botocore)."""
    found = None
    for section in config.sections:
        if (kind == "profile" and name == "default" and section == "default") or (
            section.startswith(f"{kind} ") and _unquoted(section[len(kind) + 1 :]) == name
        ):
            found = section
    return found


def _unquoted(text: str) -> str:
    text = text.strip()
    return text[1:-1] if len(text) > 1 and text[0] == text[-1] == '"' else text
