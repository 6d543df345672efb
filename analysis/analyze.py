"""Score and analyze one commit, or decide that its stored analysis can stand."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import sqlite_utils

from analysis.claims import analysis_claim, held
from analysis.config import PipelineConfig
from analysis.heuristic import heuristic_analysis
from analysis.importance import score
from analysis.models import Analysis, AnalysisStatus, Commit
from analysis.redact import redact_opt
from analysis.store import analyses as analysis_store
from analysis.store import commits as commit_store

if TYPE_CHECKING:
    from analysis.interfaces import InterfaceReport
    from analysis.llm import Analyzer

CLAIM_WAIT = 600.0  # seconds to wait for another process analyzing the same commit
FAILED_REST = 3600.0  # seconds an unusable answer rests before the same model and prompt try it again


def reusable(prev: Analysis | None, cfg: PipelineConfig, prompt_version: str | None) -> bool:
    """Whether a stored analysis can stand for this run."""
    if prev is None or cfg.reanalyze:
        return False
    if cfg.llm is None:
        return prev.finished and prev.language == cfg.language
    if prev.status is not AnalysisStatus.DONE:
        spent = prev.status is AnalysisStatus.FAILED and prev.attempts >= cfg.llm.max_attempts
        return spent or resting(prev, cfg, prompt_version)
    return (
        prev.model == cfg.llm.model
        and prev.prompt_version == prompt_version
        and prev.language == cfg.language
    )


def resting(prev: Analysis, cfg: PipelineConfig, prompt_version: str | None) -> bool:
    """Whether the model's answers for a commit were unusable (it failed with its heuristic card standing in)
    less than FAILED_REST ago, with the same model, prompt and language: asked again at once it would answer
    the same way, so a later run (or another model) tries it. Other failures are retried by the next run."""
    if prev.status is not AnalysisStatus.FAILED or prev.card is None or cfg.llm is None or not prev.updated_at:
        return False
    if (prev.model, prev.prompt_version, prev.language) != (cfg.llm.model, prompt_version, cfg.language):
        return False
    try:
        age = dt.datetime.now(dt.UTC) - dt.datetime.fromisoformat(prev.updated_at)
    except ValueError:
        return False
    return age.total_seconds() < FAILED_REST


def mark_pending(
    db: sqlite_utils.Database, commit: Commit, cfg: PipelineConfig, prev: Analysis | None
) -> Analysis:
    """Store the commit's analysis as pending (keeping its attempts) and return it."""
    verdict = score(commit, language=cfg.language)
    pending = Analysis(commit.sha, AnalysisStatus.PENDING, verdict.importance, reasons=verdict.reasons)
    pending.language = cfg.language
    pending.attempts = prev.attempts if prev else 0
    analysis_store.save_analysis(db, commit.repo, pending)
    return pending


async def analyze_commit(
    db: sqlite_utils.Database,
    cfg: PipelineConfig,
    commit: Commit,
    analyzer: Analyzer | None,
    interfaces: InterfaceReport | None = None,
) -> Analysis:
    """Score and analyze one stored commit (its computed interface changes shown to the model), store and return it."""
    verdict = score(commit, language=cfg.language)
    verdict.interfaces = interfaces
    prev = analysis_store.get_analysis(db, commit.repo, commit.sha)
    prev_attempts = prev.attempts if prev else 0
    if analyzer is None or commit.is_merge:
        result = heuristic_analysis(commit, verdict, cfg.language)
    else:
        if prev is None:  # a crash from here on leaves the commit pending, never lost
            mark_pending(db, commit, cfg, prev)
        result = await analyzer.analyze(commit, verdict)
        result.reasons = result.reasons or verdict.reasons
        result.error = redact_opt(result.error)
        result.attempts = prev_attempts if result.status is AnalysisStatus.PENDING else prev_attempts + 1
    analysis_store.save_analysis(db, commit.repo, result)
    if result.finished:
        commit_store.clear_patches(db, commit.repo, commit.sha)
    return result


async def analyze_once(
    db: sqlite_utils.Database,
    cfg: PipelineConfig,
    commit: Commit,
    analyzer: Analyzer | None,
    prompt_version: str | None,
    *,
    interfaces: InterfaceReport | None = None,
) -> tuple[Analysis, bool]:
    """Analyze a commit under its claim, or take the analysis another process made meanwhile.

    Returns the analysis and whether this call made it.
    """
    async with held(db, analysis_claim(commit.repo, commit.sha), wait=CLAIM_WAIT):
        prev = analysis_store.get_analysis(db, commit.repo, commit.sha)
        if reusable(prev, cfg, prompt_version):
            assert prev is not None
            return prev, False
        return await analyze_commit(db, cfg, commit, analyzer, interfaces), True
