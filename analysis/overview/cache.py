"""The overview cache: per repository and day, kept while the day's set of analyses is unchanged."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

import sqlite_utils

from analysis.models import DigestEntry
from analysis.overview import prompt
from analysis.overview.llm import Spent
from analysis.overview.models import Overview
from storage import overviews


@dataclass
class Cached:
    """A stored overview with the fingerprint of what it was written from."""

    repo: str
    date: str
    fingerprint: str
    overview: Overview
    language: str = "en"


def fingerprint(entries: list[DigestEntry], language: str, source: str, model: str | None) -> str:
    """A hash of the day's SHAs, analysis statuses, card models and prompt versions, and how the overview
    is to be written (source, model, overview prompt version, language)."""
    lines = sorted(
        f"{e.commit.sha}:{e.analysis.status.value}:{e.analysis.model or ''}:{e.analysis.prompt_version or ''}"
        for e in entries
    )
    head = f"{source}:{model or ''}:{prompt.PROMPT_VERSION}:{language}"
    return hashlib.sha256("\n".join([head, *lines]).encode()).hexdigest()


def _from_row(row: dict) -> Cached | None:
    try:
        body = json.loads(row["body"] or "{}")
        overview = Overview.model_validate({**body, "source": row["source"]})
    except (ValueError, TypeError):
        return None  # an unreadable row is recomputed, never shown
    return Cached(row["repo"], row["date"], row["fingerprint"], overview, row["language"] or "en")


def load(db: sqlite_utils.Database, repo: str, date: str | None = None) -> Cached | None:
    """The stored overview of a repository's day (its latest day when `date` is None), or None."""
    row = overviews.get_overview(db, repo, date) if date else overviews.latest_overview(db, repo)
    return _from_row(row) if row else None


def save(
    db: sqlite_utils.Database,
    cached: Cached,
    model: str | None = None,
    spent: Spent | None = None,
) -> None:
    """Store a repository-day's overview, replacing the earlier one."""
    spent = spent or Spent()
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
            "llm_calls": spent.calls,
            "prompt_tokens": spent.prompt_tokens,
            "completion_tokens": spent.completion_tokens,
        },
    )
