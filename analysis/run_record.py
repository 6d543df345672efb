"""What a repository run leaves behind: its run record and the repository's latest state."""

from __future__ import annotations

import datetime as dt

import sqlite_utils

from analysis.fetch import CommitReader
from analysis.models import RepoDigest, Usage
from analysis.sources import Source
from analysis.state import RepositoryState, RunRecord, RunStatus
from analysis.store import repositories as repo_store
from analysis.store import runs as run_store
from storage.db import now


def record_run(
    db: sqlite_utils.Database,
    rd: RepoDigest,
    started: str,
    day: dt.date | None,
    source: Source | None,
    reader: CommitReader | None,
    usage: Usage,
) -> None:
    """Store the run and the repository's latest state."""
    status = RunStatus.ERROR if rd.error else RunStatus.OK
    run = RunRecord(
        repo=rd.repo,
        started_at=started,
        finished_at=now(),
        status=status,
        mode="date" if day else "cursor",
        window=day.isoformat() if day else (rd.since or ""),
        commits=len(rd.entries),
        fetched=reader.fetched if reader else 0,
        requests=source.requests if source else 0,
        llm_calls=usage.llm_calls,
        prompt_tokens=usage.prompt_tokens,
        completion_tokens=usage.completion_tokens,
        error=rd.error,
        unusable_answers=usage.unusable_answers,
    )
    run_store.save_run(db, run)
    state = RepositoryState(rd.repo, last_run_at=started, last_run_status=status.value, last_error=rd.error)
    if source is not None:
        state.kind = source.kind
        state.default_branch = rd.branch
        state.display = rd.display
        state.followed = rd.followed
        if (limit := source.rate_limit) is not None:
            state.rate_limit_remaining, state.rate_limit_reset = limit.remaining, limit.reset
    repo_store.save_repository(db, state)
