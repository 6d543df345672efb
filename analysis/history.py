"""Which commits are new to a digest target: by ancestry and what the target was told, never by the clock.

New commits are those reachable from the branch head that the target has not been told about. The cursor
(the head the target last read up to) makes that a cheap `cursor..head`. When the cursor has left the
history (force-push, rebase, gc), the walk goes back from the head until it meets commits the target was
told about, and commits whose content matches a reported one are rewrites: linked, never reported again.
"""

from __future__ import annotations

import datetime as dt
import heapq
import logging
from dataclasses import dataclass, field

import sqlite_utils

from analysis.errors import UnknownRevision
from analysis.sources import CommitRef, Source
from analysis.state import Cursor
from analysis.store import commits as commit_store
from analysis.store import reported as reported_store
from analysis.strings import plural

log = logging.getLogger(__name__)


@dataclass
class Selection:
    """The commits one run reports for one target, and what it learned on the way."""

    refs: list[CommitRef] = field(default_factory=list)  # oldest first, parents before children
    head: str | None = None  # where the target's cursor moves once the digest is delivered
    since: str | None = None  # the SHA or ISO time the digest starts after
    check_rewrites: bool = False  # the reported history was rewritten: match new commits against it
    rewritten_from: str | None = None  # the cursor that left the history, when it did
    notes: list[str] = field(default_factory=list)


def oldest_first(refs: list[CommitRef]) -> list[CommitRef]:
    """The commits with every parent before its children; otherwise by committer date, oldest first."""
    by_sha = {r.sha: r for r in refs}
    waiting = {r.sha: sum(1 for p in set(r.parents) if p in by_sha) for r in refs}
    children: dict[str, list[str]] = {}
    for r in refs:
        for p in set(r.parents):
            if p in by_sha:
                children.setdefault(p, []).append(r.sha)
    order = {r.sha: i for i, r in enumerate(refs)}
    ready = [(by_sha[s].committed_at, -order[s], s) for s, n in waiting.items() if n == 0]
    heapq.heapify(ready)
    out: list[CommitRef] = []
    while ready:
        *_, sha = heapq.heappop(ready)
        out.append(by_sha[sha])
        for c in children.get(sha, []):
            waiting[c] -= 1
            if waiting[c] == 0:
                heapq.heappush(ready, (by_sha[c].committed_at, -order[c], c))
    return out


async def select_new(
    db: sqlite_utils.Database,
    source: Source,
    target: str,
    branch: str,
    head: str,
    *,
    first_since: dt.datetime,
    limit: int,
) -> Selection:
    """The commits reachable from `head` that `target` has not been told about, at most `limit` of them."""
    repo = source.repo
    cursor = reported_store.get_cursor(db, repo, target)
    sel = Selection(head=head, since=cursor.sha if cursor else None)
    if cursor and cursor.branch != branch:
        sel.notes.append(f"Now following branch {branch} (was {cursor.branch}).")
    if cursor and cursor.sha == head:
        return sel
    reported = reported_store.reported_shas(db, repo, target)
    complete = True
    if cursor is None and not reported:  # a target's first digest starts with yesterday's commits
        sel.since = first_since.isoformat()
        refs = await source.list_window(branch, first_since, None)
    else:
        compared = await _compare(source, cursor.sha, head) if cursor else None
        if compared is not None:
            refs, diverged = compared
        else:
            log.warning("%s: the last digested commit left %s; walking back to known commits", repo, branch)
            diverged = True
            known = reported | ({cursor.sha} if cursor else set())
            if not reported:  # a database from before targets kept what they were told: stored commits
                known |= commit_store.stored_shas(db, repo)
            refs, complete = await source.walk_new(head, known, limit)
        if diverged and cursor is not None and cursor.branch == branch:
            sel.check_rewrites = True
            sel.rewritten_from = cursor.sha
    fresh = oldest_first([r for r in refs if r.sha not in reported])
    if not complete:  # the walk back hit its bound: commits older than those read are not known here
        sel.notes.append(
            f"More than {len(fresh)} commits are new since the history was rewritten; "
            "commits older than those were not read and are not reported."
        )
    if len(fresh) > limit:
        sel.notes.append(
            f"This digest stops at {limit} new commits; {len(fresh) - limit} more follow in the next digest."
        )
        fresh = fresh[:limit]
        sel.head = fresh[-1].sha
    sel.refs = fresh
    return sel


async def _compare(source: Source, base: str, head: str) -> tuple[list[CommitRef], bool] | None:
    """`source.compare`, or None when `base` has left the history."""
    try:
        return await source.compare(base, head)
    except UnknownRevision:
        return None


def rewrite_note(branch: str, sel: Selection, replaced: int) -> str | None:
    """The digest's line about a rewritten history, or None when the history was not rewritten."""
    if sel.rewritten_from is None:
        return None
    gone = sel.rewritten_from[:7]
    text = (
        f"History of {branch} was rewritten (force-push or rebase): the last reported commit {gone} is gone."
    )
    if replaced:
        were = plural(replaced, "commit was", "commits were")
        text += f" {replaced} reported {were} replaced by rewritten copies, not reported again."
    return text


def mark_delivered(
    db: sqlite_utils.Database, repo: str, target: str, branch: str, head: str, shas: list[str]
) -> None:
    """Record that `target` was told about these commits and move its cursor to `head`."""
    reported_store.mark_reported(db, repo, target, shas)
    reported_store.set_cursor(db, Cursor(repo, target, branch, head))
