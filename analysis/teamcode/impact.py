"""Which of an upstream commit's interface changes touch the team's code, and where."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from analysis.interfaces import InterfaceChange
from analysis.teamcode.index import Place, TeamIndex

GONE = frozenset({"removed", "moved", "member_removed", "kind_changed"})


@dataclass(frozen=True)
class Impact:
    """An interface change the team's code meets: direct when it names the object itself (or an alias of it),
    owner-level when it uses the class or module the changed object belongs to in statements that name the changed
    member (an attribute use, an override, a name from a star import)."""

    object: str
    kind: str
    change: str
    direct: bool
    places: tuple[Place, ...]
    sha: str = ""  # the upstream commit that made the change, when known

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "object": self.object,
            "kind": self.kind,
            "change": self.change,
            "direct": self.direct,
            "places": [list(p) for p in self.places],
            "sha": self.sha,
        }


def impacts(changes: Iterable[InterfaceChange], index: TeamIndex) -> list[Impact]:
    """The impact list: one entry per change the team's code meets, with the places that meet it, in change order."""
    out: list[Impact] = []
    for change in changes:
        if change.kind.startswith("flag_"):
            direct, places = True, index.flags.get(change.object, [])
        elif change.kind.startswith("env_"):
            direct, places = True, index.env.get(change.object, [])
        else:
            direct, places = _python(change, index)
        if places:
            out.append(Impact(change.object, change.kind, change.text, direct, tuple(sorted(set(places)))))
    return out


def _python(change: InterfaceChange, index: TeamIndex) -> tuple[bool, list[Place]]:
    direct: list[Place] = []
    owner: list[Place] = []
    for name in (change.object, *change.aliases):
        table = index.refs.get(name.split(".", 1)[0], {})
        parent, _, member = name.rpartition(".")
        for ref, places in table.items():
            if ref == name or (ref.startswith(name + ".") and change.kind in GONE):
                direct.extend(places)
            elif ref.startswith(name + "."):
                owner.extend(places)
            elif parent and ref == parent:
                owner.extend(_naming(member, places, index))
    return (True, direct) if direct else (False, owner)


def _naming(member: str, places: list[Place], index: TeamIndex) -> list[Place]:
    """The places holding an owner, in each file whose statements that hold it also name `member`."""
    out: list[Place] = []
    for file in sorted({f for f, _ in places}):
        lines = [line for f, line in places if f == file]
        spans = index.spans.get(file, [])
        if any(member in words for a, b, words in spans if any(a <= line <= b for line in lines)):
            out += [(file, line) for line in lines]
    return out
