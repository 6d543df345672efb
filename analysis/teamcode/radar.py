"""The radar since a pin: every interface change between a base (a tag, a SHA, or the version the team pins) and
the head that meets the team's code, grouped by symbol."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from analysis.errors import UnknownRevision
from analysis.interfaces import InterfaceReport
from analysis.sources.base import Source
from analysis.teamcode.impact import Impact, impacts
from analysis.teamcode.index import Place, TeamIndex

MAX_COMMITS = 2000  # commits looked at between the base and the head

_LOCK_RE = r'name\s*=\s*"{name}"\s*\n\s*version\s*=\s*"([^"]+)"'
_EXACT_RE = r"""(?im)^[\s"'\[,]*{name}(?:\[[^\]]*\])?\s*(?:===?|=\s*["']=?=?)\s*["']?v?([0-9][\w.+!-]*)"""


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pinned_version(pin_files: Mapping[str, str], names: list[str]) -> str | None:
    """The version of any of the distributions `names` the team pins: lock files first, then requirements, then
    pyproject.toml; None when none pins it exactly."""
    wanted = {_norm(n) for n in names if n}
    spellings = sorted({v for n in wanted for v in (n, n.replace("-", "_"), n.replace("-", "."))}, key=len)
    pattern = "(?:" + "|".join(re.escape(s) for s in reversed(spellings)) + ")" if spellings else ""
    if not pattern:
        return None
    order = lambda p: (0 if p.endswith(".lock") else 1 if "requirements" in p.lower() else 2, p)  # noqa: E731
    for path in sorted(pin_files, key=order):
        text = pin_files[path]
        regex = _LOCK_RE if path.endswith(".lock") else _EXACT_RE
        if m := re.search(regex.format(name=pattern), text, re.I):
            return m.group(1)
    return None


def distribution_names(repo: str, index_packages: list[str]) -> list[str]:
    """Names the upstream may be installed under: its repository name, its packages, and `-python` forms."""
    base = repo.rstrip("/").rsplit("/", 1)[-1]
    names = [base, *index_packages]
    return [*names, *(f"{n}-python" for n in names)]


async def resolve_base(source: Source, rev: str) -> str:
    """The SHA of a tag (`v1.2.3` or `1.2.3`), a branch or a SHA; raises UnknownRevision."""
    candidates = [rev] if rev.startswith("v") or not rev[:1].isdigit() else [f"v{rev}", rev]
    for candidate in candidates:
        try:
            return await source.resolve(candidate)
        except UnknownRevision:
            continue
    raise UnknownRevision(f"{rev!r} is neither a tag (v{rev.lstrip('v')} or {rev.lstrip('v')}) nor a commit")


@dataclass
class RadarSymbol:
    """One upstream symbol the team's code meets: each commit that changed it, and the team's places."""

    object: str
    direct: bool
    changes: list[tuple[str, str]] = field(default_factory=list)  # (sha, what changed), oldest first
    places: list[Place] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "object": self.object,
            "direct": self.direct,
            "changes": [{"sha": s, "change": c} for s, c in self.changes],
            "places": [{"file": f, "line": n} for f, n in self.places],
        }


@dataclass
class Radar:
    """What changed between `base` and `head` that meets the team's code."""

    base: str
    head: str
    commits: int = 0
    symbols: list[RadarSymbol] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def group_impacts(found: list[Impact]) -> list[RadarSymbol]:
    """Impacts (oldest commit first) grouped by symbol: direct symbols first, then by name."""
    by: dict[str, RadarSymbol] = {}
    for i in found:
        sym = by.setdefault(i.object, RadarSymbol(i.object, i.direct))
        sym.direct = sym.direct or i.direct
        sym.changes.append((i.sha, i.change))
        sym.places = sorted(set(sym.places) | set(i.places))
    return sorted(by.values(), key=lambda s: (not s.direct, s.object))


async def radar(
    source: Source,
    base_rev: str,
    index: TeamIndex,
    report_of: Callable[[str], InterfaceReport],
    *,
    stored: Mapping[str, InterfaceReport] | None = None,
    branch: str | None = None,
) -> Radar:
    """Interface changes from `base_rev` to the branch head that meet the team's code; `report_of(sha)` computes a
    commit's report when `stored` has none."""
    branch = branch or await source.default_branch()
    head = await source.head(branch)
    base = await resolve_base(source, base_rev)
    refs = await source.list_range(branch, base, head)
    out = Radar(base, head, commits=len(refs))
    if len(refs) > MAX_COMMITS:
        out.notes.append(f"looked at the newest {MAX_COMMITS} of {len(refs)} commits")
        refs = refs[:MAX_COMMITS]
    found: list[Impact] = []
    for ref in reversed(refs):
        if len(ref.parents) > 1:
            continue
        report = (stored or {}).get(ref.sha) or report_of(ref.sha)
        found += [
            Impact(i.object, i.kind, i.change, i.direct, i.places, ref.sha)
            for i in impacts(report.changes, index)
        ]
    out.symbols = group_impacts(found)
    return out
