"""Repositories and their per-target cursors: the last digested head of each branch."""

from __future__ import annotations

import sqlite_utils

from storage.db import Row, all_rows, now, one


def upsert_repository(db: sqlite_utils.Database, row: Row) -> None:
    """Insert or update a repository row (keyed by `repo`)."""
    db["repositories"].upsert(row, pk="repo")


def get_repository(db: sqlite_utils.Database, repo: str) -> Row | None:
    """One repository row, or None."""
    return one(db, "select * from repositories where repo = ?", [repo])


def list_repositories(db: sqlite_utils.Database) -> list[Row]:
    """Every repository row, by name."""
    return all_rows(db, "select * from repositories order by repo")


def get_cursor(db: sqlite_utils.Database, repo: str, target: str) -> Row | None:
    """The last digested head of `repo` for a digest target (a channel, or 'terminal')."""
    return one(db, "select * from cursors where repo = ? and target = ?", [repo, target])


def set_cursor(db: sqlite_utils.Database, repo: str, target: str, branch: str, sha: str) -> None:
    """Record `sha` as the last digested head of `repo` for `target`."""
    with db.conn:
        db["cursors"].upsert(
            {"repo": repo, "target": target, "branch": branch, "sha": sha, "updated_at": now()},
            pk=("repo", "target"),
        )


def list_cursors(db: sqlite_utils.Database, repo: str) -> list[Row]:
    """Every digest target's cursor for a repository."""
    return all_rows(db, "select * from cursors where repo = ? order by target", [repo])
