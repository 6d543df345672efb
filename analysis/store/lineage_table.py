"""Revert and fix-cause links between stored commits: the SQL of the `lineage` table, store-backed lookups for
linking, and where a commit was announced (the channel and day of the digest that reported it)."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlite_utils

from analysis.lineage import Candidate, CommitLike, Link, Lookups
from analysis.store.codec import Row, chunks, parse_time
from storage.db import now

_LIMIT = 50  # commits one lookup returns (a PR number or title names few)
# words of a message that may name an earlier commit: only commits with one are read back for late links
_REFERRING = ("revert", "reapply", "regress", "follow", "fixes:", "broke", "introduced", "caused")


def _like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _row_candidate(row: Row) -> Candidate:
    at = parse_time(row["committed_at"]) or datetime.fromtimestamp(0, UTC)
    return Candidate.of(row["sha"], row["message"] or row["title"] or "", at, row["pr"])


def _rows(db: sqlite_utils.Database, where: str, args: list) -> list[Candidate]:
    sql = f"select sha, title, message, pr, committed_at from commits where {where} limit {_LIMIT}"
    return [_row_candidate(r) for r in db.query(sql, args)]


def lookups(db: sqlite_utils.Database, repo: str) -> Lookups:
    """`Lookups` over the stored commits of `repo`: by SHA prefix, PR number and (bare) title."""

    def by_sha_prefix(prefix: str) -> list[Candidate]:
        p = prefix.lower()
        if len(p) >= 40:
            return _rows(db, "repo = ? and sha = ?", [repo, p])
        return _rows(db, "repo = ? and sha >= ? and sha < ?", [repo, p, p[:-1] + chr(ord(p[-1]) + 1)])

    def by_pr(n: int) -> list[Candidate]:
        return _rows(db, "repo = ? and (pr = ? or title like ? escape '\\')", [repo, n, f"%(#{n})%"])

    def by_title(title: str) -> list[Candidate]:
        found = _rows(
            db, "repo = ? and (title = ? or title like ? escape '\\')", [repo, title, _like(title) + " (#%"]
        )
        return [c for c in found if " ".join(c.title.split()) == title or c.title.startswith(title + " (#")]

    def by_title_prefix(prefix: str) -> list[Candidate]:
        return _rows(db, "repo = ? and title like ? escape '\\'", [repo, _like(prefix) + "%"])

    return Lookups(by_sha_prefix, by_pr, by_title, by_title_prefix)


def referring_since(db: sqlite_utils.Database, repo: str, since: datetime, skip: set[str]) -> list[Candidate]:
    """Stored commits of `repo` committed at or after `since` whose message may name an earlier commit."""
    words = " or ".join("message like ?" for _ in _REFERRING)
    sql = (
        "select sha, title, message, pr, committed_at from commits "
        f"where repo = ? and committed_at >= ? and ({words})"
    )
    args = [repo, since.astimezone(UTC).isoformat(timespec="seconds"), *(f"%{w}%" for w in _REFERRING)]
    return [_row_candidate(r) for r in db.query(sql, args) if r["sha"] not in skip]


def save_links(db: sqlite_utils.Database, repo: str, links: list[Link]) -> int:
    """Record links (each pair once); return how many were new."""
    stamp = now()
    with db.conn:
        before = db.conn.total_changes
        db.conn.executemany(
            "insert or ignore into lineage (repo, sha, kind, target_sha, via, found_at) values (?, ?, ?, ?, ?, ?)",
            [(repo, ln.sha, ln.kind, ln.target_sha, ln.via, stamp) for ln in links],
        )
        return db.conn.total_changes - before


def links_of(db: sqlite_utils.Database, repo: str, shas: list[str]) -> list[Link]:
    """Every stored link from or to one of `shas`, oldest found first."""
    out: list[Link] = []
    for part, marks in chunks(shas):
        sql = (
            f"select * from lineage where repo = ? and (sha in ({marks}) or target_sha in ({marks})) "
            "order by found_at, rowid"
        )
        out += [
            Link(r["kind"], r["sha"], r["target_sha"], r["via"]) for r in db.query(sql, [repo, *part, *part])
        ]
    return list(dict.fromkeys(out))


def commits_brief(db: sqlite_utils.Database, repo: str, shas: list[str]) -> dict[str, CommitLike]:
    """SHA -> the stored commit's title and time, for the commits named by links."""
    out: dict[str, CommitLike] = {}
    for part, marks in chunks(shas):
        sql = f"select sha, title, message, pr, committed_at from commits where repo = ? and sha in ({marks})"
        out.update({r["sha"]: _row_candidate(r) for r in db.query(sql, [repo, *part])})
    return out


def announced(db: sqlite_utils.Database, shas: list[str]) -> dict[str, tuple[str, str]]:
    """SHA -> (channel, day) of the earliest digest that reported it, for the ones a digest reported."""
    out: dict[str, tuple[str, str]] = {}
    for sha in shas:
        sql = (
            "select channel, date from digests where status = 'posted' and shas like ? "
            "order by date, created_at limit 1"
        )
        for r in db.query(sql, [f'%"{sha}"%']):
            out.setdefault(sha, (r["channel"], r["date"]))
    return out
