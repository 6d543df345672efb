"""The week of every configured repository: one overview each, through the run's one LLM request path."""

from __future__ import annotations

import sqlite_utils

from analysis.config import PipelineConfig
from analysis.llm import make_analyzer
from analysis.models import Usage
from analysis.sources import identity
from analysis.store import repositories as repo_store
from analysis.weekly.build import build_week
from analysis.weekly.week_types import Week


async def run_week(
    db: sqlite_utils.Database, cfg: PipelineConfig, week: str, usage: Usage | None = None
) -> list[Week]:
    """The overview of ISO `week` (YYYY-Www) of each repository of `cfg`, in configuration order."""
    usage = usage if usage is not None else Usage()
    analyzer = make_analyzer(cfg, db)
    requester = analyzer.requester if analyzer is not None else None
    weeks = []
    try:
        for spec in cfg.repos:
            repo = identity(spec)
            state = repo_store.get_repository(db, repo)
            name = (state.display if state and state.display else None) or spec
            weeks.append(await build_week(db, cfg, repo, name, week, requester, usage))
    finally:
        if analyzer is not None:
            await analyzer.aclose()
    return weeks
