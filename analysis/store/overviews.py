"""Typed access to the overview cache: one overview per repository and day."""

from __future__ import annotations

import json

import sqlite_utils

from analysis.overview.models import Cached, Overview
from storage import overviews
from storage.db import Row


def _from_row(row: Row) -> Cached | None:
    try:
        body = json.loads(row["body"] or "{}")
        overview = Overview.model_validate({**body, "source": row["source"]})
    except (ValueError, TypeError):
        return None  # an unreadable row is recomputed, never shown
    return Cached(row["repo"], row["date"], row["fingerprint"], overview, row["language"] or "en")


def get_overview(db: sqlite_utils.Database, repo: str, date: str | None = None) -> Cached | None:
    """The stored overview of a repository's day (its latest day when `date` is None); None when absent or unreadable."""
    row = overviews.get_overview(db, repo, date) if date else overviews.latest_overview(db, repo)
    return _from_row(row) if row else None


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
    overviews.save_overview(
        db,
        {
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
        },
    )
