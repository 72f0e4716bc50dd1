"""What changed between two trees, profile by profile.

A profile whose own file, bases, template and lock are byte-identical in both trees is
unchanged without further work (the environment is the same for both sides). For the others
both sides are loaded in full and compared on what takes effect: the effective fields, the
rendered system prompt and first message, the catalog entries behind each model and voice,
the passages of its knowledge files, and whether the profile loads and validates. A profile
is listed only when one of these differs, so a comment-only edit lists nothing.

Phone numbers are compared across profiles too: a number listed by another profile, or by
none, on the new side is a route change ("+14155550100 now reaches sales_en, was
support_en"). Only listed profiles can move a number: a profile's numbers come from its own
file or the overlay, both among the sources that decide whether it is listed.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any, Literal

from voiceops.knowledge import Passage
from voiceops.project import CONFIGS, LOCK
from voiceops.review.effective import CatalogEntry, Problem, ProfileState, TreeView
from voiceops.review.fields import flatten
from voiceops.review.knowledge import is_pattern

Status = Literal["changed", "added", "removed"]
FieldKind = Literal["changed", "added", "removed"]
_ORDER: dict[Status, int] = {"changed": 0, "added": 1, "removed": 2}


@dataclass(frozen=True)
class FieldChange:
    """One effective field, old -> new (None on the side where it is absent)."""

    path: str
    kind: FieldKind
    old: Any = None
    new: Any = None


@dataclass(frozen=True)
class EntryChange:
    """A model or voice that is another entry, or is described differently, on the new side."""

    path: str  # where the profile names it: "tts.voice", "llm.fallbacks[0].model"
    old: CatalogEntry | None
    new: CatalogEntry | None
    changed: tuple[str, ...]  # attribute names whose values differ

    @property
    def same_entry(self) -> bool:
        """True when both sides name the same catalog entry (only its attributes moved)."""
        return (self.old is not None and self.new is not None and self.old.id is not None
                and (self.old.provider, self.old.id) == (self.new.provider, self.new.id))


@dataclass(frozen=True)
class PassageChange:
    """A passage of a profile's knowledge that is new, or gone, on the new side (an edited
    passage is both: its id carries a hash of its text)."""

    kind: Literal["added", "removed"]
    id: str
    source: str
    line: int
    text: str


@dataclass(frozen=True)
class RouteChange:
    """A phone number that reaches another profile on the new side (None: no profile lists
    it, so the daemon's default profile answers it, or the call is refused)."""

    number: str
    old: str | None
    new: str | None


@dataclass(frozen=True)
class ProfileChange:
    """How one profile differs between the trees."""

    name: str
    status: Status
    path: str
    abstract: bool = False
    direct: bool = True  # its own file changed (always, for added and removed profiles)
    via: tuple[str, ...] = ()  # other changed files it depends on: bases, template, lock
    fields: tuple[FieldChange, ...] = ()
    prompt_diff: tuple[str, ...] = ()  # unified diff of the rendered system prompt
    first_message: tuple[str | None, str | None] | None = None  # rendered, when it differs
    entries: tuple[EntryChange, ...] = ()
    old_problem: Problem | None = None
    new_problem: Problem | None = None
    knowledge: tuple[PassageChange, ...] = ()  # passages added and removed, by file and line

    @property
    def only_via(self) -> bool:
        """True when the profile's own file is unchanged: a base, template or the lock did it."""
        return not self.direct and bool(self.via)


@dataclass(frozen=True)
class DiffResult:
    """Every changed profile between two trees, and what is worth saying about the trees."""

    old: str  # labels, e.g. "HEAD (1a2b3c4)" and "working tree"
    new: str
    changes: tuple[ProfileChange, ...]
    unchanged: tuple[str, ...]
    notes: tuple[str, ...] = ()
    routes: tuple[RouteChange, ...] = ()  # by number

    def count(self, status: Status) -> int:
        return sum(c.status == status for c in self.changes)

    @property
    def changed(self) -> bool:
        return bool(self.changes)


def compare_trees(old: TreeView, new: TreeView, notes: tuple[str, ...] = ()) -> DiffResult:
    """Compare every profile of `old` with its namesake in `new`."""
    changes: list[ProfileChange] = []
    unchanged: list[str] = []
    routed: tuple[dict[str, str], dict[str, str]] = ({}, {})  # number -> profile, per side
    broken: set[str] = set()  # profiles whose numbers one side cannot tell
    for name in sorted(set(old.files) | set(new.files)):
        if name not in new.files:
            a = old.state(name)
            changes.append(ProfileChange(name, "removed", a.path, a.abstract,
                                         old_problem=a.problem))
            _numbers(a, routed[0], broken)
            continue
        if name not in old.files:
            b = new.state(name)
            changes.append(_added(b))
            _numbers(b, routed[1], broken)
            continue
        before = old.fingerprint(name)
        if before is not None and all(new.digest(s) == d for s, d in before):
            unchanged.append(name)  # no need to load it on the new side at all
            continue
        a, b = old.state(name), new.state(name)
        change = _changed(old, new, a, b)
        if change is None:
            unchanged.append(name)
        else:
            changes.append(change)
            _numbers(a, routed[0], broken)
            _numbers(b, routed[1], broken)
    changes.sort(key=lambda c: (_ORDER[c.status], c.name))
    every_note = (*notes, *old.notes, *new.notes)
    return DiffResult(old.tree.label, new.tree.label, tuple(changes), tuple(unchanged),
                      every_note, _routes(*routed, broken))


def _numbers(state: ProfileState, into: dict[str, str], broken: set[str]) -> None:
    """Record the numbers `state` answers (an abstract profile answers none); a profile
    that cannot be loaded goes into `broken`."""
    if state.data is None:
        broken.add(state.name)
    phone = state.data.get("phone") if state.data and not state.abstract else None
    numbers = phone.get("numbers") if isinstance(phone, dict) else None
    for number in numbers if isinstance(numbers, list) else ():
        if isinstance(number, str):
            into.setdefault(number, state.name)


def _routes(old: dict[str, str], new: dict[str, str],
            broken: set[str]) -> tuple[RouteChange, ...]:
    """The numbers whose profile differs; not those of a profile one side cannot load (its
    numbers there are unknown, and its problem is reported)."""
    return tuple(RouteChange(n, old.get(n), new.get(n)) for n in sorted({*old, *new})
                 if old.get(n) != new.get(n) and not {old.get(n), new.get(n)} & broken)


def _added(state: ProfileState) -> ProfileChange:
    fields = tuple(FieldChange(path, "added", None, value)
                   for path, value in flatten(state.data or {}).items())
    entries = tuple(EntryChange(path, None, entry, ()) for path, entry in state.entries.items())
    return ProfileChange(state.name, "added", state.path, state.abstract, fields=fields,
                         entries=entries, new_problem=state.problem)


def _changed(old: TreeView, new: TreeView, a: ProfileState,
             b: ProfileState) -> ProfileChange | None:
    name = a.name
    fields = _fields(a.data, b.data) if a.data is not None and b.data is not None else ()
    prompt_diff: tuple[str, ...] = ()
    if a.system_prompt is not None and b.system_prompt is not None \
            and a.system_prompt != b.system_prompt:
        prompt_diff = tuple(difflib.unified_diff(
            a.system_prompt.splitlines(), b.system_prompt.splitlines(),
            f"{old.tree.label}: {name}", f"{new.tree.label}: {name}", lineterm="", n=2))
    first = (a.first_message, b.first_message) \
        if a.first_message != b.first_message and a.data is not None and b.data is not None \
        else None
    entries = _entries(a, b)
    knowledge = _passages(a, b)
    if not (fields or prompt_diff or first or entries or knowledge) and a.problem == b.problem:
        return None
    direct = old.digest(a.path) != new.digest(b.path) or a.path != b.path
    return ProfileChange(name, "changed", b.path, b.abstract, direct,
                         _via(old, new, name, a.path, entries), fields, prompt_diff, first,
                         entries, a.problem, b.problem, knowledge)


def _fields(old: dict[str, Any], new: dict[str, Any]) -> tuple[FieldChange, ...]:
    before, after = flatten(old), flatten(new)
    found: list[FieldChange] = []
    for path, value in after.items():
        if path not in before:
            found.append(FieldChange(path, "added", None, value))
        elif before[path] != value or type(before[path]) is not type(value):
            found.append(FieldChange(path, "changed", before[path], value))
    found.extend(FieldChange(path, "removed", value, None)
                 for path, value in before.items() if path not in after)
    return tuple(found)


def _entries(a: ProfileState, b: ProfileState) -> tuple[EntryChange, ...]:
    if a.data is None or b.data is None:
        return ()
    found: list[EntryChange] = []
    for path in [*b.entries, *(p for p in a.entries if p not in b.entries)]:
        old, new = a.entries.get(path), b.entries.get(path)
        if old is not None and new is not None and old.id is None and new.id is None:
            continue  # unknown on both sides: the field change (if any) says it all
        if old is not None and new is not None and (old.provider, old.id) == (
                new.provider, new.id) and old.attributes == new.attributes:
            continue
        before = old.attributes if old else {}
        after = new.attributes if new else {}
        changed = tuple(k for k in dict.fromkeys([*before, *after])
                        if before.get(k) != after.get(k))
        found.append(EntryChange(path, old, new, changed))
    return tuple(found)


def _passages(a: ProfileState, b: ProfileState) -> tuple[PassageChange, ...]:
    """The passages only one side retrieves from, in file and line order (removed first)."""
    if a.data is None or b.data is None:
        return ()

    def listed(kind: Literal["added", "removed"], passages: list[Passage]
               ) -> list[PassageChange]:
        return [PassageChange(kind, p.id, p.source, p.line, p.text)
                for p in sorted(passages, key=lambda p: (p.source, p.line))]

    return (*listed("removed", [p for i, p in a.passages.items() if i not in b.passages]),
            *listed("added", [p for i, p in b.passages.items() if i not in a.passages]))


def _via(old: TreeView, new: TreeView, name: str, own: str,
         entries: tuple[EntryChange, ...]) -> tuple[str, ...]:
    """The changed files other than the profile's own that it depends on in either tree."""
    depends: dict[str, None] = {}
    for view in (old, new):
        for source in view.sources(name) or ():
            depends.setdefault(source)
    depends.pop(own, None)
    # a glob whose matches changed is named by the files that came or went
    moved = [s for s in depends if old.digest(s) != new.digest(s) and not is_pattern(s)]
    if LOCK in moved:
        # A lock edited in the same change as the profile (a new voice, then `voiceops
        # lock`) is not why the profile changed, unless a pinned entry itself changed or
        # nothing else explains it.
        others = [s for s in moved if s != LOCK]
        own_moved = old.digest(own) != new.digest(own)
        if (others or own_moved) and not any(e.same_entry for e in entries):
            moved.remove(LOCK)
    return tuple(via_name(s) for s in moved)


def via_name(source: str) -> str:
    """How a dependency is named to reviewers: a base profile by its file name ("base.yaml"),
    anything else by its path in the project ("prompts/customer_support.j2")."""
    prefix = f"{CONFIGS}/"
    return source[len(prefix):] if source.startswith(prefix) else source
