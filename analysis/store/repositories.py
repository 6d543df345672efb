"""Repositories and their latest state: the SQL of the `repositories` table, its rows, and typed access."""

from __future__ import annotations

from dataclasses import fields

import sqlite_utils
from sqlite_utils.db import NotFoundError

from analysis.state import RepositoryState
from analysis.store.codec import Row, redacted

# every table keyed by repository, moved with it when a repository is adopted under a new name
_KEYED = ("commits", "files", "analyses", "cursors", "runs", "reported", "rewrites")


def _state(row: Row) -> RepositoryState:
    names = {f.name for f in fields(RepositoryState)}
    return RepositoryState(**{k: v for k, v in row.items() if k in names})


def _repository_row(r: RepositoryState) -> Row:
    """Fields left None are not written, but for the last error."""
    row = {f.name: getattr(r, f.name) for f in fields(RepositoryState) if getattr(r, f.name) is not None}
    return row | ({"last_error": r.last_error} if r.last_run_at else {})


def _row(db: sqlite_utils.Database, repo: str) -> Row | None:
    try:
        return db["repositories"].get(repo)
    except NotFoundError:
        return None


def get_repository(db: sqlite_utils.Database, repo: str) -> RepositoryState | None:
    """A repository's latest state, or None."""
    row = _row(db, repo)
    return _state(row) if row else None


def save_repository(db: sqlite_utils.Database, state: RepositoryState) -> None:
    """Insert or update a repository's state (fields left None keep their stored value)."""
    db["repositories"].upsert(redacted(_repository_row(state), "last_error"), pk="repo")


def list_repositories(db: sqlite_utils.Database) -> list[RepositoryState]:
    """Every repository's state, by name."""
    return [_state(r) for r in db["repositories"].rows_where(order_by="repo")]


def adopt_repository(db: sqlite_utils.Database, old: str, new: str) -> bool:
    """Move the rows of a repository kept under an older name to its identity; False when there were none."""
    if _row(db, new) is not None:
        return False
    legacy = _row(db, old)
    if legacy is None or legacy.get("kind") not in ("git", None):
        return False
    with db.conn:
        for table in _KEYED:
            db.execute(f"update or ignore {table} set repo = ? where repo = ?", [new, old])
            db.execute(f"delete from {table} where repo = ?", [old])
        db.execute("update or ignore repositories set repo = ? where repo = ?", [new, old])
        db.execute("delete from repositories where repo = ?", [old])
    return True
