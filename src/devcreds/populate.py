"""``configure populate``: one profile per account and role of an SSO session, kept in step
with what the listing finds, worked out before the AWS config file is touched.

Each generated profile is ``sso-session`` style (``sso_session``, ``sso_account_id``,
``sso_role_name``, ``region``) and carries ``devcreds_populated = <session>``: the marker
that tells generated profiles from the ones a person wrote (botocore and the AWS CLI ignore
keys they do not know). A profile without the marker, or with another session's, is never
changed or removed; one that would get its name is reported and skipped instead.

Names come from a template (``{account_name}-{role_name}`` by default), made safe for a
profile name (anything but letters, digits and ``_ . @ + -`` becomes ``-``). When several
roles get one name, the first by account id and role name keeps it and the others get
``-<account id>`` (then ``-2``, ``-3``…), so a name depends only on what is listed, not on
the order it came in.

A rerun with nothing new changes nothing: an existing generated profile gets only the keys
whose values differ (``region`` only when ``--region`` is given, so a region set by hand
stays). With ``prune``, generated profiles that match no listed role go, unless their
account could not be listed this time (nothing is known of it) or a person wrote in them
(a comment, a key of their own): those are reported.
"""

from __future__ import annotations

import re
import string
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from devcreds import inifile
from devcreds.awsconfig import AwsConfig, profile_sections
from devcreds.errors import UsageError
from devcreds.listing import Listing, Role

MARKER = "devcreds_populated"
DEFAULT_TEMPLATE = "{account_name}-{role_name}"
FIELDS = ("account_id", "account_name", "role_name", "region", "sso_session")
_IDENTITY = ("sso_session", "sso_account_id", "sso_role_name")
_OURS = frozenset((*_IDENTITY, "region", MARKER))
_UNSAFE = re.compile(r"[^A-Za-z0-9_.@+-]+")


@dataclass(frozen=True)
class Skipped:
    profile: str
    reason: str


@dataclass
class Plan:
    path: Path
    changes: dict[str, dict[str, str]] = field(default_factory=dict)  # section -> values
    remove: list[str] = field(default_factory=list)  # sections
    added: list[str] = field(default_factory=list)  # profile names, also below
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)  # generated, matching no role; not pruned

    @property
    def empty(self) -> bool:
        return not self.changes and not self.remove


def check_template(template: str) -> None:
    """A template naming only known fields; else a UsageError that lists them."""
    fields = ", ".join(f"{{{name}}}" for name in FIELDS)
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as exc:
        raise UsageError(
            f"invalid --name-template {template!r}: {exc}",
            hint=f"use the fields {fields}, e.g. {DEFAULT_TEMPLATE}",
        ) from None
    for _, name, spec, conversion in parsed:
        if name is not None and (name not in FIELDS or spec or conversion):
            raise UsageError(
                f"invalid --name-template {template!r}: {{{name}}} is not a field",
                hint=f"use the fields {fields}, e.g. {DEFAULT_TEMPLATE}",
            )
    if not any(name for _, name, _, _ in parsed):
        raise UsageError(
            f"--name-template {template!r} names no field: every profile would get one name",
            hint=f"use the fields {fields}, e.g. {DEFAULT_TEMPLATE}",
        )


def safe_name(text: str) -> str:
    """``text`` as a profile name the AWS CLI and shells take without quoting."""
    return _UNSAFE.sub("-", text).strip("-")


def names(roles: Iterable[Role], template: str, region: str, sso_session: str) -> dict[Role, str]:
    """Each role's profile name; see the module's notes on collisions."""
    wanted: dict[str, list[Role]] = defaultdict(list)
    for role in sorted(set(roles), key=lambda r: (r.account_id, r.role_name)):
        values = {
            "account_id": role.account_id,
            "account_name": role.account_name or role.account_id,
            "role_name": role.role_name,
            "region": region,
            "sso_session": sso_session,
        }
        # Each value made safe first, so "Dev Team (EU)" is "Dev-Team-EU" in any template.
        text = template.format(**{key: safe_name(value) for key, value in values.items()})
        name = safe_name(text) or role.account_id
        if name == "default":  # [default] is not a profile a template should make
            name = f"default-{role.account_id}"
        wanted[name].append(role)
    result: dict[Role, str] = {}
    taken = set(wanted)
    for name, claimants in wanted.items():
        result[claimants[0]] = name
        for role in claimants[1:]:
            candidate, number = f"{name}-{role.account_id}", 2
            while candidate in taken:
                candidate, number = f"{name}-{role.account_id}-{number}", number + 1
            taken.add(candidate)
            result[role] = candidate
    return result


def plan(
    config: AwsConfig,
    commented: set[str],
    sso_session: str,
    listing: Listing,
    *,
    template: str = DEFAULT_TEMPLATE,
    region: str,
    region_given: bool,
    prune: bool = False,
) -> Plan:
    """What populating ``sso_session`` from ``listing`` changes in ``config``.

    ``commented`` names the sections a person wrote a comment in (``inifile.commented``);
    ``region`` goes into new profiles, and into existing ones only if ``region_given``."""
    result = Plan(config.path)
    spelled = profile_sections(config)
    targets = names(listing.roles, template, region, sso_session)
    for role, name in sorted(targets.items(), key=lambda item: item[1].lower()):
        identity = dict(zip(_IDENTITY, (sso_session, role.account_id, role.role_name), strict=True))
        current = config.profiles.get(name)
        if current is None:
            result.changes[f"profile {name}"] = {**identity, "region": region, MARKER: sso_session}
            result.added.append(name)
            continue
        owner = current.get(MARKER)
        if owner != sso_session:
            reason = (
                "written by hand"
                if owner is None
                else f"generated for sso-session {owner}, not {sso_session}"
            )
            result.skipped.append(Skipped(name, f"{reason}; left as it is"))
            continue
        wanted = {**identity, "region": region} if region_given else identity
        differing = {key: value for key, value in wanted.items() if current.get(key) != value}
        if differing:
            result.changes[spelled[name]] = differing
            result.updated.append(name)
        else:
            result.unchanged += 1
    _prune(result, config, commented, sso_session, listing, set(targets.values()), prune)
    return result


def _prune(
    result: Plan,
    config: AwsConfig,
    commented: set[str],
    sso_session: str,
    listing: Listing,
    targets: set[str],
    prune: bool,
) -> None:
    unlisted = {failure.account_id for failure in listing.failures}
    spelled = profile_sections(config)
    for name, values in sorted(config.profiles.items()):
        if values.get(MARKER) != sso_session or name in targets:
            continue
        if values.get("sso_account_id") in unlisted:
            continue  # its account could not be listed: nothing is known of its roles
        if not prune:
            result.stale.append(name)
        elif spelled[name] in commented or set(values) - _OURS:
            extra = sorted(set(values) - _OURS)
            what = f"keys of yours ({', '.join(extra)})" if extra else "a comment"
            result.skipped.append(
                Skipped(name, f"matches no role but holds {what}; remove it yourself")
            )
        else:
            result.remove.append(spelled[name])
            result.removed.append(name)


def diff(plan: Plan) -> str:
    """The change as a unified diff of the config file; nothing is written."""
    import difflib

    before, after = inifile.preview(plan.path, plan.changes, remove=plan.remove)
    return "".join(
        difflib.unified_diff(
            before.splitlines(keepends=True),
            after.splitlines(keepends=True),
            f"{plan.path} (now)",
            f"{plan.path} (populated)",
        )
    )


def write(plan: Plan) -> bool:
    """Make the change; True if the file changed."""
    if plan.empty:
        return False
    return inifile.update(plan.path, plan.changes, remove=plan.remove)
