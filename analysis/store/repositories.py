"""Typed access to repositories, their cursors and runs."""

from __future__ import annotations

import sqlite_utils

from analysis import rows
from analysis.models import Usage
from analysis.state import Cursor, RepositoryState, RunRecord
from analysis.store.scrub import redacted
from storage import history, repositories, runs


def get_cursor(db: sqlite_utils.Database, repo: str, target: str) -> Cursor | None:
    """A digest target's cursor for a repository, or None."""
    row = repositories.get_cursor(db, repo, target)
    return rows.cursor_from_row(row) if row else None


def set_cursor(db: sqlite_utils.Database, cursor: Cursor) -> None:
    """Record a digest target's new cursor."""
    repositories.set_cursor(db, cursor.repo, cursor.target, cursor.branch, cursor.sha)


def list_cursors(db: sqlite_utils.Database, repo: str) -> list[Cursor]:
    """Every digest target's cursor for a repository."""
    return [rows.cursor_from_row(r) for r in repositories.list_cursors(db, repo)]


def get_repository(db: sqlite_utils.Database, repo: str) -> RepositoryState | None:
    """A repository's latest state, or None."""
    row = repositories.get_repository(db, repo)
    return rows.repository_from_row(row) if row else None


def save_repository(db: sqlite_utils.Database, state: RepositoryState) -> None:
    """Insert or update a repository's state (fields left None keep their stored value)."""
    repositories.upsert_repository(db, redacted(rows.repository_to_row(state), "last_error"))


def list_repositories(db: sqlite_utils.Database) -> list[RepositoryState]:
    """Every repository's state, by name."""
    return [rows.repository_from_row(r) for r in repositories.list_repositories(db)]


def adopt_repository(db: sqlite_utils.Database, old: str, new: str) -> bool:
    """Move the rows of a repository kept under an older name to its identity; False when there were none."""
    if repositories.get_repository(db, new) is not None:
        return False
    legacy = repositories.get_repository(db, old)
    if legacy is None or legacy.get("kind") not in ("git", None):
        return False
    return history.rename_repository(db, old, new)


def record_run(db: sqlite_utils.Database, run: RunRecord) -> int:
    """Store a finished run; return its id."""
    return runs.record_run(db, redacted(rows.run_to_row(run), "error"))


def last_run(db: sqlite_utils.Database, repo: str) -> RunRecord | None:
    """The most recent run of a repository, or None."""
    row = runs.last_run(db, repo)
    return rows.run_from_row(row) if row else None


def usage_since(db: sqlite_utils.Database, since_utc: str) -> Usage:
    """Runs, LLM calls, tokens and errors over runs started at or after `since_utc`."""
    return rows.usage_from_row(runs.usage_since(db, since_utc))


def usage_totals(db: sqlite_utils.Database) -> Usage:
    """LLM calls and tokens over all recorded runs."""
    return rows.usage_from_row(runs.usage_totals(db))
