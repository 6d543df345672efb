"""The overview cache: per repository and day, kept while the day's set of analyses is unchanged."""

from __future__ import annotations

import hashlib

import sqlite_utils

from analysis.models import DigestEntry, Usage
from analysis.overview import prompt
from analysis.overview.overview_types import Cached
from analysis.store import saved_overviews as overview_store

__all__ = ["Cached", "fingerprint", "load", "save"]


def fingerprint(entries: list[DigestEntry], language: str, source: str, model: str | None) -> str:
    """A hash of the day's SHAs, analysis statuses, card models and prompt versions, and how the overview
    is to be written (source, model, overview prompt version, language)."""
    lines = sorted(
        f"{e.commit.sha}:{e.analysis.status.value}:{e.analysis.model or ''}:{e.analysis.prompt_version or ''}"
        for e in entries
    )
    head = f"{source}:{model or ''}:{prompt.DAY_FRAMING.version}:{language}"
    return hashlib.sha256("\n".join([head, *lines]).encode()).hexdigest()


def load(db: sqlite_utils.Database, repo: str, date: str | None = None) -> Cached | None:
    """The stored overview of a repository's day (its latest day when `date` is None), or None."""
    return overview_store.get_overview(db, repo, date)


def save(
    db: sqlite_utils.Database,
    cached: Cached,
    model: str | None = None,
    usage: Usage | None = None,
) -> None:
    """Store a repository-day's overview, replacing the earlier one."""
    usage = usage or Usage()
    overview_store.save_overview(
        db,
        cached,
        model,
        calls=usage.llm_calls,
        prompt_tokens=usage.prompt_tokens,
        completion_tokens=usage.completion_tokens,
    )
