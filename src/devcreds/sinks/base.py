"""The one interface every sink kind implements, and the rules they all follow.

A sink file holds *targets* (launch profiles, VS Code configurations, INI
sections, or the whole ``.env``), each with *variables*. A sink parses its
file into ``Place``s, says how to splice values in and out, and leaves every
decision to the rules here, so all kinds agree on what is ours:

- a value is devcreds' own when its fingerprint is in the record, wherever it
  moved; anything else is the user's and is never removed;
- writing over a user's value saves it (``replaced``), so ``clean`` puts the
  exact text back; a variable that was not there is ``added`` and ``clean``
  takes it out again, with the object, section or file devcreds created;
- targets are known by name; a target renamed since the write is matched
  when exactly one recorded name has gone; where devcreds cannot tell, it
  refuses and leaves the file alone.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import ClassVar

from devcreds.errors import FileError, UsageError
from devcreds.sinks.record import Record, Saved, State, Target, fingerprint


class ShapeError(ValueError):
    """The file parses but is not shaped as expected; the message says where."""


@dataclass(frozen=True)
class Occurrence:
    """One assignment of a variable inside a target, as the file has it."""

    name: str
    value: str | None = field(repr=False)  # None: not a string (JSON number, object, ...)
    raw: str = field(repr=False)  # the exact text of the value, quotes included

    def ours(self, prints: frozenset[str]) -> bool:
        return self.value is not None and fingerprint(self.name, self.value) in prints


@dataclass(frozen=True)
class Place:
    """A target as found in the file: its name and the variables it assigns."""

    name: str
    occurrences: dict[str, list[Occurrence]]  # variable -> each assignment, in order

    def ours(self, prints: frozenset[str]) -> list[str]:
        return [n for n, found in self.occurrences.items() if any(o.ours(prints) for o in found)]


@dataclass(frozen=True)
class Planned:
    """What one write does to one target, in terms the sink turns into splices."""

    target: Target
    saved: dict[str, list[str]] = field(repr=False)
    kept: list[str]  # variables whose user value was saved by this write
    fresh: bool  # the target holds nothing of ours yet: what it was like is read from the file


@dataclass(frozen=True)
class Removal:
    """What ``clean`` does to one target: restore these raw texts, remove the rest of ours."""

    place: Place
    restore: dict[str, list[str]] = field(repr=False)  # variable -> raw texts for its occurrences
    remove: set[str]  # variables whose devcreds occurrences go
    target: Target | None  # what the record says of it; None for an unrecorded target


@dataclass(frozen=True)
class Edit:
    """A write's result: the new text, the targets written, the values saved."""

    text: str = field(repr=False)
    targets: dict[str, Target]
    saved: Saved = field(repr=False)
    kept: list[str]  # 'AWS_REGION of launch profile "Web"': user values saved for clean
    skipped: list[str] = field(default_factory=list)  # 'launch profile "Docker": runs in …'


class Sink(ABC):
    """One kind of file devcreds writes credentials into."""

    kind: ClassVar[str]
    target_label: ClassVar[str]  # 'launch profile', for messages
    creates_file: ClassVar[bool] = False  # a missing file is created (else: an error)
    creates_targets: ClassVar[bool] = False  # a named target that is missing is created
    creates_folders: ClassVar[bool] = False  # a missing file's missing folders are created
    mode: ClassVar[int | None] = None  # forced on every write; None keeps the file's own

    @abstractmethod
    def places(self, text: str) -> list[Place]:
        """Every target in the file, whether devcreds writes it or not."""

    def skipped(self, places: list[Place], text: str, via: str | None) -> dict[str, str]:
        """The targets a write leaves out, each with why: the SDK would never read what
        it wrote there (``via="serve"``: or could not reach the endpoint from there)."""
        return {}

    @abstractmethod
    def apply_write(
        self, text: str, variables: dict[str, str], names: list[str]
    ) -> tuple[str, dict[str, Target]]:
        """``text`` with ``variables`` set in the targets ``names``, verified; and for each
        target what its container was like before (``created``, ``*_inner``; no names)."""

    @abstractmethod
    def apply_clean(
        self, text: str, removals: Sequence[Removal], prints: frozenset[str]
    ) -> str | None:
        """``text`` with the removals done, ``prints`` telling devcreds' occurrences; verified.
        None: the file is to be deleted."""

    def select(self, variables: dict[str, str]) -> dict[str, str]:
        """The variables this kind of file holds, under its own names."""
        return variables

    def describe(self, record: Record) -> str:
        """One line for ``status``: what the file holds of ours."""
        state = record.state
        names = sorted(state.targets) if state else []
        if not names or names == [""]:
            return self.kind
        shown = ", ".join(f'"{n}"' for n in names[:3]) + (" …" if len(names) > 3 else "")
        return f"{self.kind} ({self.target_label}s {shown})"

    # --- the shared rules ---------------------------------------------------------------

    def write(
        self,
        text: str,
        variables: dict[str, str],
        only: list[str] | None,
        record: Record | None,
        saved: Saved,
        via: str | None = None,
    ) -> Edit:
        """Set ``variables`` in the chosen targets, saving the user values they replace;
        the targets where they could not work are left out and said."""
        places = self.places(text)
        by_name = {p.name: p for p in places}
        prints = record.fingerprints if record else frozenset()
        skips = {
            **self.skipped(places, text, via),
            **_overridden(places, variables, prints, via),
        }
        names = [n for n in self._chosen(places, only) if n not in skips]
        known = _known_targets(record, places, prints)
        plans: dict[str, Planned] = {}
        for name in names:
            place = by_name.get(name, Place(name, {}))
            previous_name = known.get(name)
            previous = (
                record.state.targets.get(previous_name)
                if previous_name is not None and record and record.state
                else None
            )
            plans[name] = _plan(
                place,
                variables,
                prints,
                previous,
                saved.get(name if previous_name is None else previous_name, {}),
            )
        new_text, containers = self.apply_write(text, variables, names)
        # What stays in the record: the targets just written, and earlier ones still holding ours.
        targets = {
            name: replace(
                plan.target,
                created=containers[name].created,
                empty_inner=containers[name].empty_inner,
                container_inner=containers[name].container_inner,
            )
            if plan.fresh
            else plan.target
            for name, plan in plans.items()
        }
        new_saved: Saved = {name: plan.saved for name, plan in plans.items() if plan.saved}
        for place in places:
            if place.name in targets or not place.ours(prints):
                continue
            earlier = known.get(place.name)
            if earlier is not None and record is not None and record.state is not None:
                targets[place.name] = record.state.targets[earlier]
                if earlier in saved:
                    new_saved[place.name] = saved[earlier]
        kept = [
            f"{variable} of {self.target_label} {_quoted(name)}" if name else variable
            for name, plan in plans.items()
            for variable in plan.kept
        ]
        shown = [
            f"{self.target_label} {_quoted(n)}: {why}" if n else f"the {self.target_label}: {why}"
            for n, why in skips.items()
        ]
        return Edit(new_text, targets, new_saved, kept, shown)

    def still_ours(self, text: str, prints: frozenset[str]) -> frozenset[str]:
        """The fingerprints of ``prints`` that the file still holds."""
        found = set()
        for place in self.places(text):
            for occurrences in place.occurrences.values():
                for occurrence in occurrences:
                    if occurrence.value is not None:
                        found.add(fingerprint(occurrence.name, occurrence.value))
        return frozenset(found & prints)

    def clean(self, text: str, record: Record, saved: Saved) -> str | None:
        """``text`` with devcreds' values taken out and the user's put back."""
        prints = record.fingerprints
        places = self.places(text)
        known = _known_targets(record, places, prints)
        recorded = record.state.targets if record.state else {}
        if record.pending:
            recorded = {**recorded, **record.pending.targets}
        removals = []
        for place in places:
            ours = place.ours(prints)
            if not ours:
                continue
            name = known.get(place.name)
            target = None if name is None else recorded.get(name)
            restore: dict[str, list[str]] = {}
            remove: set[str] = set()
            for variable in ours:
                state = target.names.get(variable) if target else None
                if state == "replaced" and name is not None:
                    restore[variable] = saved.get(name, {}).get(variable, [])
                elif state == "added" or not _saved_anything(recorded):
                    remove.add(variable)
                else:
                    raise FileError(
                        f"devcreds' {variable} is in {self.target_label} {_quoted(place.name)}, "
                        "which the record cannot match to what devcreds replaced there; "
                        "the file is untouched",
                        hint="rename the target back, or remove the credentials by hand",
                    )
            removals.append(Removal(place, restore, remove, target))
        if not removals:
            return text
        return self.apply_clean(text, removals, prints)

    def _chosen(self, places: list[Place], only: list[str] | None) -> list[str]:
        if only is None:
            return [p.name for p in places]
        existing = [p.name for p in places]
        missing = [name for name in only if name not in existing]
        if missing and not self.creates_targets:
            there = ", ".join(_quoted(n) for n in existing) or "none"
            raise UsageError(
                f"no {self.target_label} {', '.join(_quoted(n) for n in missing)} "
                f"(the file has: {there})",
                hint=f"name one of the {self.target_label}s the file has",
            )
        return list(dict.fromkeys(only))


# Where a user who met a skipped container target reads how containers get credentials.
CONTAINERS_SECTION = 'README, "Containers"'
# What every SDK's chain reads before the container endpoint: a target that sets one of
# these itself would never ask serve.
_WIN_OVER_ENDPOINT = (
    "AWS_ACCESS_KEY_ID",
    "AWS_PROFILE",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
)


def _overridden(
    places: list[Place], variables: dict[str, str], prints: frozenset[str], via: str | None
) -> dict[str, str]:
    """Targets whose own variables win over the endpoint (``via="serve"`` only: keys that
    devcreds writes win over all of these). A value that is already the one to write (the
    team's address, committed by another developer) is no obstacle."""
    if via is None:
        return {}
    skips = {}
    for place in places:
        own = [
            name
            for name in _WIN_OVER_ENDPOINT
            if any(
                not o.ours(prints) and o.value != variables.get(name)
                for o in place.occurrences.get(name, [])
            )
        ]
        if own:
            skips[place.name] = f"has its own {own[0]}, which the SDKs read before the endpoint"
    return skips


def _quoted(name: str) -> str:
    return f'"{name}"'


def _saved_anything(targets: Mapping[str, Target]) -> bool:
    return any(s == "replaced" for t in targets.values() for s in t.names.values())


def _known_targets(
    record: Record | None, places: list[Place], prints: frozenset[str]
) -> dict[str, str]:
    """File target name -> recorded target name: itself, or the one renamed since."""
    if record is None:
        return {}
    recorded = set(record.state.targets if record.state else ()) | set(
        record.pending.targets if record.pending else ()
    )
    present = {p.name for p in places}
    known = {name: name for name in present & recorded}
    gone = sorted(recorded - present)
    strays = [p.name for p in places if p.name not in recorded and p.ours(prints)]
    if len(gone) == 1 and len(strays) == 1:
        known[strays[0]] = gone[0]
    return known


def _plan(
    place: Place,
    variables: dict[str, str],
    prints: frozenset[str],
    previous: Target | None,
    previous_saved: dict[str, list[str]],
) -> Planned:
    holds_ours = bool(place.ours(prints))
    names: dict[str, State] = {}
    saved: dict[str, list[str]] = {}
    kept = []
    for variable in variables:
        found = place.occurrences.get(variable, [])
        if not found:
            names[variable] = "added"
            continue
        if all(o.ours(prints) for o in found):
            earlier = previous.names.get(variable) if previous else None
            names[variable] = earlier or "added"
            if earlier == "replaced" and variable in previous_saved:
                saved[variable] = previous_saved[variable]
            continue
        # A user's value (set before our first write, or since): keep its exact text.
        names[variable] = "replaced"
        old = previous_saved.get(variable, [])
        saved[variable] = [
            old[i] if o.ours(prints) and i < len(old) else o.raw for i, o in enumerate(found)
        ]
        kept.append(variable)
    # Variables an earlier write set that this one does not (AWS_REGION without --with-region).
    if previous is not None:
        for variable, state in previous.names.items():
            found = place.occurrences.get(variable, [])
            if variable not in names and found and any(o.ours(prints) for o in found):
                names[variable] = state
                if variable in previous_saved:
                    saved[variable] = previous_saved[variable]
    if holds_ours and previous is not None:
        target = Target(names, previous.created, previous.empty_inner, previous.container_inner)
        return Planned(target, saved, kept, fresh=False)
    return Planned(Target(names), saved, kept, fresh=not holds_ours)
