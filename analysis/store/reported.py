"""What each digest target has been told: cursors (last digested heads), reported commits, and rewrites."""

from __future__ import annotations

import sqlite_utils
from sqlite_utils.db import NotFoundError

from analysis.state import Cursor
from analysis.store.codec import Row
from storage.db import now


def _cursor(row: Row) -> Cursor:
    return Cursor(row["repo"], row["target"], row["branch"] or "", row["sha"], row["updated_at"] or "")


def get_cursor(db: sqlite_utils.Database, repo: str, target: str) -> Cursor | None:
    """The last digested head of `repo` for a digest target (a channel, or 'terminal'), or None."""
    try:
        return _cursor(db["cursors"].get((repo, target)))
    except NotFoundError:
        return None


def set_cursor(db: sqlite_utils.Database, cursor: Cursor) -> None:
    """Record a digest target's new cursor."""
    row = {"repo": cursor.repo, "target": cursor.target, "branch": cursor.branch, "sha": cursor.sha}
    with db.conn:
        db["cursors"].upsert(row | {"updated_at": now()}, pk=("repo", "target"))


def list_cursors(db: sqlite_utils.Database, repo: str) -> list[Cursor]:
    """Every digest target's cursor for a repository, by target."""
    return [_cursor(r) for r in db["cursors"].rows_where("repo = ?", [repo], order_by="target")]


def mark_reported(db: sqlite_utils.Database, repo: str, target: str, shas: list[str]) -> None:
    """Record that `target` has been told about these commits."""
    stamp = now()
    with db.conn:
        db.conn.executemany(
            "insert or ignore into reported (repo, target, sha, reported_at) values (?, ?, ?, ?)",
            [(repo, target, sha, stamp) for sha in shas],
        )


def reported_shas(db: sqlite_utils.Database, repo: str, target: str) -> set[str]:
    """Every commit of `repo` that digest target `target` has been told about."""
    rows = db["reported"].rows_where("repo = ? and target = ?", [repo, target], select="sha")
    return {r["sha"] for r in rows}


def link_rewrite(db: sqlite_utils.Database, repo: str, sha: str, original: str) -> None:
    """Record that commit `sha` is a rewritten copy of `original`."""
    with db.conn:
        db["rewrites"].upsert(
            {"repo": repo, "sha": sha, "original": original, "found_at": now()}, pk=("repo", "sha")
        )


def rewrite_of(db: sqlite_utils.Database, repo: str, sha: str) -> str | None:
    """The original a rewritten commit replaced, or None."""
    try:
        return db["rewrites"].get((repo, sha))["original"]
    except NotFoundError:
        return None
