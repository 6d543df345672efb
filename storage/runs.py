"""Finished runs and the usage they recorded."""

from __future__ import annotations

import sqlite_utils

from storage.db import Row, one


def record_run(db: sqlite_utils.Database, row: Row) -> int:
    """Store a finished run; return its id."""
    with db.conn:
        return db["runs"].insert(row).last_pk


def last_run(db: sqlite_utils.Database, repo: str) -> Row | None:
    """The most recent run of a repository, or None."""
    return one(db, "select * from runs where repo = ? order by id desc limit 1", [repo])


def usage_since(db: sqlite_utils.Database, since_utc: str) -> Row:
    """Runs, LLM calls and tokens summed over runs started at or after `since_utc`."""
    return (
        one(
            db,
            "select count(*) as runs, coalesce(sum(llm_calls), 0) as llm_calls, "
            "coalesce(sum(prompt_tokens), 0) as prompt_tokens, "
            "coalesce(sum(completion_tokens), 0) as completion_tokens, "
            "coalesce(sum(status = 'error'), 0) as errors from runs where started_at >= ?",
            [since_utc],
        )
        or {}
    )


def usage_totals(db: sqlite_utils.Database) -> Row:
    """LLM calls and tokens summed over all recorded runs."""
    row = one(
        db,
        "select coalesce(sum(llm_calls), 0) as llm_calls, coalesce(sum(prompt_tokens), 0) as prompt_tokens, "
        "coalesce(sum(completion_tokens), 0) as completion_tokens from runs",
    )
    assert row is not None
    return row
