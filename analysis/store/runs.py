"""Finished runs and the usage they recorded: the SQL of the `runs` table, its rows, and typed access."""

from __future__ import annotations

from dataclasses import fields

import sqlite_utils

from analysis.models import Usage
from analysis.state import RunRecord, RunStatus
from analysis.store.codec import Row, redacted

_SUMS = (
    "coalesce(sum(llm_calls), 0) as llm_calls, coalesce(sum(prompt_tokens), 0) as prompt_tokens, "
    "coalesce(sum(completion_tokens), 0) as completion_tokens, "
    "coalesce(sum(unusable_answers), 0) as unusable_answers"
)


def _run_from(row: Row) -> RunRecord:
    names = {f.name for f in fields(RunRecord)}
    values = {k: v for k, v in row.items() if k in names}
    values["status"] = RunStatus(row["status"] or "ok")
    for k in (
        "commits",
        "fetched",
        "requests",
        "llm_calls",
        "prompt_tokens",
        "completion_tokens",
        "unusable_answers",
    ):
        values[k] = values.get(k) or 0
    return RunRecord(**values)


def _usage_from(row: Row) -> Usage:
    names = {f.name for f in fields(Usage)}
    return Usage(**{k: int(v or 0) for k, v in row.items() if k in names})


def save_run(db: sqlite_utils.Database, run: RunRecord) -> int:
    """Store a finished run (its error redacted; its id is assigned here); return its id."""
    row = {f.name: getattr(run, f.name) for f in fields(RunRecord) if f.name != "id"}
    row["status"] = run.status.value
    with db.conn:
        return db["runs"].insert(redacted(row, "error")).last_pk


def last_run(db: sqlite_utils.Database, repo: str) -> RunRecord | None:
    """The most recent run of a repository, or None."""
    row = next(db["runs"].rows_where("repo = ?", [repo], order_by="id desc", limit=1), None)
    return _run_from(row) if row else None


def usage_since(db: sqlite_utils.Database, since_utc: str) -> Usage:
    """Runs, LLM calls, tokens and errors over runs started at or after `since_utc`."""
    sql = (
        f"select count(*) as runs, {_SUMS}, coalesce(sum(status = 'error'), 0) as errors "
        "from runs where started_at >= ?"
    )
    return _usage_from(next(db.query(sql, [since_utc])))


def usage_totals(db: sqlite_utils.Database) -> Usage:
    """LLM calls and tokens over all recorded runs."""
    return _usage_from(next(db.query(f"select {_SUMS} from runs")))
