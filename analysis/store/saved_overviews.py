"""The overview cache, one overview per repository and day: the SQL of the `overviews` table, its rows, typed access."""

from __future__ import annotations

import json

import sqlite_utils
from sqlite_utils.db import NotFoundError

from analysis.overview.overview_types import Cached, Overview
from analysis.store.codec import Row
from storage.db import now


def _cached_from(row: Row) -> Cached | None:
    try:
        body = json.loads(row["body"] or "{}")
        overview = Overview.model_validate({**body, "source": row["source"]})
    except (ValueError, TypeError):
        return None  # an unreadable row is recomputed, never shown
    return Cached(row["repo"], row["date"], row["fingerprint"], overview, row["language"] or "en")


def get_overview(db: sqlite_utils.Database, repo: str, date: str | None = None) -> Cached | None:
    """The stored overview of a repository's day (its latest day when `date` is None); None when absent or unreadable."""
    if date:
        try:
            row: Row | None = db["overviews"].get((repo, date))
        except NotFoundError:
            row = None
    else:
        row = next(db["overviews"].rows_where("repo = ?", [repo], order_by="date desc", limit=1), None)
    return _cached_from(row) if row else None


def save_overview(
    db: sqlite_utils.Database,
    cached: Cached,
    model: str | None,
    *,
    calls: int,
    prompt_tokens: int,
    completion_tokens: int,
) -> None:
    """Store a repository-day's overview with what it cost, replacing the earlier one."""
    body = cached.overview.model_dump(mode="json", exclude={"source"})
    row = {
        "repo": cached.repo,
        "date": cached.date,
        "fingerprint": cached.fingerprint,
        "source": cached.overview.source,
        "language": cached.language,
        "body": json.dumps(body, ensure_ascii=False),
        "model": model,
        "llm_calls": calls,
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion_tokens,
        "updated_at": now(),
    }
    with db.conn:
        db["overviews"].upsert(row, pk=("repo", "date"))


def overviews_between(db: sqlite_utils.Database, repo: str, first: str, last: str) -> list[Cached]:
    """The stored overviews of a repository's days from `first` through `last` (YYYY-MM-DD), by day."""
    rows = db["overviews"].rows_where(
        "repo = ? and date >= ? and date <= ?", [repo, first, last], order_by="date"
    )
    return [c for r in rows if (c := _cached_from(r)) is not None]
