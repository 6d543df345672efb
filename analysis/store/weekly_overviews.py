"""The weekly overview cache, one per repository and ISO week: the SQL of `weekly_overviews`, rows, typed access."""

from __future__ import annotations

import json

import sqlite_utils
from sqlite_utils.db import NotFoundError

from analysis.models import Usage
from analysis.weekly.week_types import WeekOverview
from storage.db import now


def get_week(db: sqlite_utils.Database, repo: str, week: str, fingerprint: str) -> WeekOverview | None:
    """The stored overview of a repository's week when written from the same inputs, else None."""
    try:
        row = db["weekly_overviews"].get((repo, week))
    except NotFoundError:
        return None
    if row["fingerprint"] != fingerprint:
        return None
    try:
        return WeekOverview.model_validate({**json.loads(row["body"] or "{}"), "source": row["source"]})
    except (ValueError, TypeError):
        return None  # an unreadable row is recomputed, never shown


def save_week(
    db: sqlite_utils.Database,
    repo: str,
    week: str,
    fingerprint: str,
    overview: WeekOverview,
    language: str,
    model: str | None,
    usage: Usage,
) -> None:
    """Store a repository-week's overview with what it cost, replacing the earlier one."""
    row = {
        "repo": repo,
        "week": week,
        "fingerprint": fingerprint,
        "source": overview.source,
        "language": language,
        "body": json.dumps(overview.model_dump(mode="json", exclude={"source"}), ensure_ascii=False),
        "model": model,
        "llm_calls": usage.llm_calls,
        "prompt_tokens": usage.prompt_tokens,
        "completion_tokens": usage.completion_tokens,
        "updated_at": now(),
    }
    with db.conn:
        db["weekly_overviews"].upsert(row, pk=("repo", "week"))
