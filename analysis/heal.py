"""Completing the pending and failed analyses earlier runs left, while the analyzer still works."""

from __future__ import annotations

import asyncio

import sqlite_utils

from analysis.analyze import analyze_once, resting
from analysis.config import PipelineConfig
from analysis.fetch import CommitReader
from analysis.llm import Analyzer
from analysis.models import Usage
from analysis.store import analyses as analysis_store
from analysis.store import commits as commit_store
from analysis.store import interface_reports as report_store


def _halted(analyzer: Analyzer | None) -> bool:
    """Whether the analyzer makes no more calls this run (its key refused, or stopped for any other reason)."""
    return analyzer is not None and (analyzer.auth_failed or analyzer.stopped is not None)


async def heal(
    db: sqlite_utils.Database,
    cfg: PipelineConfig,
    reader: CommitReader,
    analyzer: Analyzer | None,
    usage: Usage,
    seen: set[str],
) -> None:
    """Complete a repository's pending and failed analyses not in `seen` (under the attempt cap), fetching as needed.

    Nothing is fetched once the analyzer has stopped: the analyses would stay unfinished anyway.
    """
    if _halted(analyzer):
        return
    repo = reader.source.repo
    prompt_version = analyzer.prompt_version if analyzer is not None else None
    cap = cfg.llm.max_attempts if cfg.llm else 1
    todo = [
        a.sha
        for a in analysis_store.unfinished_analyses(db, repo, cap)
        if a.sha not in seen and not resting(a, cfg, prompt_version)
    ]

    async def one(sha: str) -> None:
        if commit_store.stored_commit(db, repo, sha, detailed=False) is None or _halted(analyzer):
            return
        commit = await reader.read(sha)
        if commit is not None:
            interfaces = report_store.get_reports(db, repo, [sha]).get(sha)
            analysis, made = await analyze_once(
                db, cfg, commit, analyzer, prompt_version, interfaces=interfaces
            )
            if made:
                usage.add(analysis.usage)

    await asyncio.gather(*(one(sha) for sha in todo))
