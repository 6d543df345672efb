"""Revert and fix-cause lineage between commits, read from commit messages alone (pure, no I/O).

`parse_references` (analysis.lineage_refs) reads what one message names: the commits it reverts and the
commits it gives as a fix's cause or follows up. `find_links` resolves those names against the caller's earlier
commits and returns one `Link` per resolved pair; `link_report` also returns what was not resolved, and why.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal, Protocol

from analysis.lineage_refs import References, bare_title, parse_references, title_pr, title_prs

__all__ = [
    "Candidate",
    "CommitLike",
    "Link",
    "Lookups",
    "References",
    "Unlinked",
    "bare_title",
    "find_links",
    "incoming",
    "index",
    "link_report",
    "parse_references",
    "title_pr",
]

Kind = Literal["reverts", "follows_up"]


class CommitLike(Protocol):
    """What lineage reads of a commit."""

    sha: str
    title: str
    message: str
    pr: int | None
    committed_at: datetime


@dataclass(frozen=True)
class Candidate:
    """A plain commit record satisfying `CommitLike`."""

    sha: str
    title: str
    message: str
    pr: int | None
    committed_at: datetime

    @classmethod
    def of(cls, sha: str, message: str, committed_at: datetime, pr: int | None = None) -> Candidate:
        """A record from a full message; the title is its first line, the PR its trailing "(#N)" unless given."""
        title = message.strip().split("\n", 1)[0].strip() if message.strip() else ""
        return cls(sha, title, message, pr if pr is not None else title_pr(title), committed_at)


@dataclass(frozen=True)
class Link:
    """`sha` reverts or follows up `target_sha`; `via` says what resolved it: "sha", "pr" or "title"."""

    kind: Kind
    sha: str
    target_sha: str
    via: str


@dataclass(frozen=True)
class Unlinked:
    """A reference of `sha` that names no known commit, and why."""

    kind: Kind
    sha: str
    ref: str
    reason: str


@dataclass
class Lookups:
    """How `find_links` finds earlier commits; build it in memory with `index`, or back it by a store."""

    by_sha_prefix: Callable[[str], Sequence[CommitLike]]
    by_pr: Callable[[int], Sequence[CommitLike]]
    by_title: Callable[[str], Sequence[CommitLike]]  # exact title without a trailing " (#N)"
    by_title_prefix: Callable[[str], Sequence[CommitLike]] = field(default=lambda _p: ())


def index(commits: Iterable[CommitLike]) -> Lookups:
    """In-memory lookups over `commits` by SHA prefix, PR number and bare title."""
    items = list(commits)
    by_pr: dict[int, list[CommitLike]] = {}
    by_title: dict[str, list[CommitLike]] = {}
    for c in items:
        for n in {c.pr, *title_prs(c.title)} - {None}:
            by_pr.setdefault(n, []).append(c)
        by_title.setdefault(bare_title(c.title), []).append(c)
    ordered = sorted(items, key=lambda c: c.sha.lower())
    shas = [c.sha.lower() for c in ordered]

    def sha_prefix(prefix: str) -> list[CommitLike]:
        p = prefix.lower()
        i = bisect.bisect_left(shas, p)
        out = []
        while i < len(shas) and shas[i].startswith(p):
            out.append(ordered[i])
            i += 1
        return out

    def title_prefix(prefix: str) -> list[CommitLike]:
        return [c for t, cs in by_title.items() if t.startswith(prefix) for c in cs]

    return Lookups(sha_prefix, lambda n: by_pr.get(n, ()), lambda t: by_title.get(t, ()), title_prefix)


def _latest_before(source: CommitLike, found: Sequence[CommitLike]) -> CommitLike | None:
    others = [c for c in found if c.sha != source.sha]
    earlier = [c for c in others if c.committed_at <= source.committed_at]
    pool = earlier or others
    return max(pool, key=lambda c: c.committed_at) if pool else None


def _resolve(
    c: CommitLike, kind: Kind, shas: Sequence[str], prs: Sequence[int], known: Lookups
) -> tuple[list[Link], list[Unlinked]]:
    links: list[Link] = []
    missed: list[Unlinked] = []
    for s in shas:
        found = [k for k in known.by_sha_prefix(s) if k.sha != c.sha]
        if len({k.sha for k in found}) == 1:
            links.append(Link(kind, c.sha, found[0].sha, "sha"))
        else:
            reason = "ambiguous SHA prefix" if found else "SHA not among known commits"
            missed.append(Unlinked(kind, c.sha, s, reason))
    for n in prs:
        target = _latest_before(c, known.by_pr(n))
        if target:
            links.append(Link(kind, c.sha, target.sha, "pr"))
        else:
            missed.append(Unlinked(kind, c.sha, f"#{n}", "no known commit for this PR"))
    return links, missed


def link_report(
    commits: Sequence[CommitLike], known: Lookups | None = None
) -> tuple[list[Link], list[Unlinked]]:
    """Resolve every reference of `commits` against `known` (default: `commits` themselves); links and misses."""
    known = known or index(commits)
    links: list[Link] = []
    missed: list[Unlinked] = []
    for c in commits:
        refs = parse_references(c.message, c.title)
        if refs.is_revert:
            got, miss = _resolve(c, "reverts", refs.revert_shas, refs.revert_prs, known)
            if not got and refs.revert_title:
                t = refs.revert_title
                found = known.by_title_prefix(t) if refs.revert_title_truncated else known.by_title(t)
                target = _latest_before(c, [k for k in found if k.committed_at <= c.committed_at])
                if target:
                    got, miss = [Link("reverts", c.sha, target.sha, "title")], []
                else:
                    miss.append(Unlinked("reverts", c.sha, t, "no earlier commit with this title"))
            if not (got or miss):
                miss.append(Unlinked("reverts", c.sha, "", "the message names no reverted commit"))
            links += got
            missed += miss
        got, miss = _resolve(c, "follows_up", refs.cause_shas, refs.cause_prs, known)
        links += got
        missed += miss
    seen: set[tuple[str, str, str]] = set()
    unique = [ln for ln in links if (k := (ln.kind, ln.sha, ln.target_sha)) not in seen and not seen.add(k)]
    return unique, missed


def find_links(commits: Sequence[CommitLike], known: Lookups | None = None) -> list[Link]:
    """The resolved revert and follow-up links of `commits` (each pair once), in input order."""
    return link_report(commits, known)[0]


def incoming(links: Iterable[Link]) -> dict[str, list[Link]]:
    """Links keyed by their target SHA: what reverted or followed up each commit (the other direction)."""
    out: dict[str, list[Link]] = {}
    for ln in links:
        out.setdefault(ln.target_sha, []).append(ln)
    return out
