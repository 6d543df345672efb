"""Lineage in the product: link stored commits to the earlier ones they revert or follow up (both ways, also
when the original is stored after its revert), and attach what is known to the entries shown."""

from __future__ import annotations

import logging
from collections.abc import Sequence

import sqlite_utils

from analysis.lineage import Candidate, CommitLike, Link, find_links, index
from analysis.lineage_models import EntryLineage, LineageRef
from analysis.models import Commit, DigestEntry
from analysis.store import lineage_table as lineage_store

log = logging.getLogger(__name__)


def _candidate(c: Commit) -> Candidate:
    return Candidate.of(c.sha, c.message, c.committed_at, c.pr)


def record_lineage(db: sqlite_utils.Database, repo: str, commits: Sequence[Commit]) -> int:
    """Link `commits` to the stored commits of `repo` they name, and stored later commits naming them; return
    how many links were new."""
    if not commits:
        return 0
    mine = [_candidate(c) for c in commits]
    links = find_links(mine, lineage_store.lookups(db, repo))
    since = min(c.committed_at for c in mine)
    later = lineage_store.referring_since(db, repo, since, {c.sha for c in mine})
    if later:  # a revert stored before the commit it reverts
        links += find_links(later, index(mine))
    return lineage_store.save_links(db, repo, links)


def _ref(sha: str, known: dict[str, CommitLike], where: dict[str, tuple[str, str]]) -> LineageRef:
    c = known.get(sha)
    channel, day = where.get(sha, (None, None))
    return LineageRef(sha, c.title if c else "", c.committed_at if c else None, channel, day)


def lineage_for(db: sqlite_utils.Database, repo: str, shas: list[str]) -> dict[str, EntryLineage]:
    """SHA -> its lineage from the stored links (only the SHAs with any)."""
    links = lineage_store.links_of(db, repo, shas)
    if not links:
        return {}
    others = list({s for ln in links for s in (ln.sha, ln.target_sha)})
    known = lineage_store.commits_brief(db, repo, others)
    where = lineage_store.announced(db, others)
    wanted = set(shas)
    out: dict[str, EntryLineage] = {}
    for ln in sorted(links, key=lambda x: _when(known, x.sha)):
        if ln.sha in wanted:
            own = out.setdefault(ln.sha, EntryLineage())
            if ln.kind == "reverts":
                own.reverts = own.reverts or _ref(ln.target_sha, known, where)
            else:
                own.follows_up.append(_ref(ln.target_sha, known, where))
        if ln.target_sha in wanted:
            own = out.setdefault(ln.target_sha, EntryLineage())
            if ln.kind == "reverts":
                own.reverted_by = own.reverted_by or _ref(ln.sha, known, where)
            else:
                own.followed_by.append(_ref(ln.sha, known, where))
    return out


def _when(known: dict[str, CommitLike], sha: str) -> str:
    c = known.get(sha)
    return c.committed_at.isoformat() if c else ""


def attach_lineage(db: sqlite_utils.Database, entries: Sequence[DigestEntry]) -> None:
    """Set each entry's lineage from the stored links; a failure leaves the entries as they were."""
    by_repo: dict[str, list[DigestEntry]] = {}
    for e in entries:
        by_repo.setdefault(e.commit.repo, []).append(e)
    try:
        for repo, group in by_repo.items():
            found = lineage_for(db, repo, [e.commit.sha for e in group])
            for e in group:
                e.lineage = found.get(e.commit.sha, EntryLineage())
    except Exception:
        log.exception("lineage could not be read; the cards go out without it")


def link_entries(db: sqlite_utils.Database, repo: str, entries: Sequence[DigestEntry]) -> None:
    """Record the entries' links and attach their lineage; one failure never stops a digest."""
    try:
        record_lineage(db, repo, [e.commit for e in entries])
    except Exception:
        log.exception("%s: lineage links could not be recorded", repo)
    attach_lineage(db, entries)


__all__ = ["Link", "attach_lineage", "lineage_for", "link_entries", "record_lineage"]
