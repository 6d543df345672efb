"""Analyses: one per commit, with status, card and accounting."""

from __future__ import annotations

from typing import Any

import sqlite_utils

from storage.db import Row, all_rows, by_sha, now, one


def save_analysis(db: sqlite_utils.Database, row: Row) -> None:
    """Insert or replace the analysis of (repo, sha)."""
    row = {**row, "updated_at": now()}
    with db.conn:
        db["analyses"].upsert(row, pk=("repo", "sha"))


def get_analysis(db: sqlite_utils.Database, repo: str, sha: str) -> Row | None:
    """The analysis row of one commit, or None."""
    return one(db, "select * from analyses where repo = ? and sha = ?", [repo, sha])


def get_analyses(db: sqlite_utils.Database, repo: str, shas: list[str]) -> dict[str, Row]:
    """Analysis rows by SHA for the given SHAs that have one."""
    return by_sha(db, "analyses", repo, shas)


def analysis_counts(db: sqlite_utils.Database, repo: str | None = None) -> dict[str, int]:
    """How many analyses are in each status, for one repository or all."""
    sql = "select status, count(*) as n from analyses"
    params: list[Any] = []
    if repo:
        sql += " where repo = ?"
        params.append(repo)
    return {r["status"]: r["n"] for r in all_rows(db, sql + " group by status", params)}


def unfinished_analyses(db: sqlite_utils.Database, repo: str, max_attempts: int) -> list[Row]:
    """Pending or failed analyses of a repository still under the attempt cap."""
    return all_rows(
        db,
        "select * from analyses where repo = ? and status in ('pending', 'failed') and attempts < ?",
        [repo, max_attempts],
    )
