"""Overviews: one per repository and day, with the fingerprint of the analyses it was written from."""

from __future__ import annotations

import sqlite_utils

from storage.db import Row, now, one


def get_overview(db: sqlite_utils.Database, repo: str, date: str) -> Row | None:
    """The overview row of a repository's day, or None."""
    return one(db, "select * from overviews where repo = ? and date = ?", [repo, date])


def latest_overview(db: sqlite_utils.Database, repo: str) -> Row | None:
    """The overview row of a repository's latest day, or None."""
    return one(db, "select * from overviews where repo = ? order by date desc limit 1", [repo])


def save_overview(db: sqlite_utils.Database, row: Row) -> None:
    """Insert or replace the overview of (repo, date)."""
    row = {**row, "updated_at": now()}
    with db.conn:
        db["overviews"].upsert(row, pk=("repo", "date"))
