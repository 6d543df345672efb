"""Commits and their file changes."""

from __future__ import annotations

import sqlite_utils

from storage.db import Row, all_rows, by_sha, one


def save_commit(db: sqlite_utils.Database, commit: Row, files: list[Row] | None = None) -> None:
    """Store a commit row and, when given, replace its file rows, in one transaction."""
    with db.conn:
        db["commits"].upsert(commit, pk=("repo", "sha"))
        if files is not None:
            db.execute("delete from files where repo = ? and sha = ?", [commit["repo"], commit["sha"]])
            if files:
                db["files"].insert_all(files, pk=("repo", "sha", "path"), replace=True)


def get_commit(db: sqlite_utils.Database, repo: str, sha: str) -> Row | None:
    """One commit row, or None."""
    return one(db, "select * from commits where repo = ? and sha = ?", [repo, sha])


def get_commits(db: sqlite_utils.Database, repo: str, shas: list[str]) -> dict[str, Row]:
    """Commit rows by SHA for the given SHAs that are stored."""
    return by_sha(db, "commits", repo, shas)


def get_files(db: sqlite_utils.Database, repo: str, sha: str) -> list[Row]:
    """The file rows of one commit, by path."""
    return all_rows(db, "select * from files where repo = ? and sha = ? order by rowid", [repo, sha])


def clear_patches(db: sqlite_utils.Database, repo: str, sha: str) -> None:
    """Drop the stored patches of a commit once it has been analyzed (stats stay)."""
    with db.conn:
        db.execute("update files set patch = null where repo = ? and sha = ?", [repo, sha])


def commits_between(db: sqlite_utils.Database, repo: str, start_utc: str, end_utc: str) -> list[Row]:
    """Commits of a repository with `start_utc <= committed_at < end_utc`, newest first."""
    return all_rows(
        db,
        "select * from commits where repo = ? and committed_at >= ? and committed_at < ? "
        "order by committed_at desc",
        [repo, start_utc, end_utc],
    )


def find_by_prefix(db: sqlite_utils.Database, prefix: str, limit: int = 20) -> list[Row]:
    """Commits whose SHA starts with the lower-case hex `prefix` (an index range scan)."""
    prefix = prefix.lower()
    if len(prefix) >= 40:
        return all_rows(db, "select * from commits where sha = ? limit ?", [prefix, limit])
    upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    return all_rows(
        db,
        "select * from commits where sha >= ? and sha < ? order by sha limit ?",
        [prefix, upper, limit],
    )
