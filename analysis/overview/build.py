"""One repository-day's overview: from the cache when the day is unchanged, else by the model or the heuristic."""

from __future__ import annotations

import logging

import sqlite_utils

from analysis.config import PipelineConfig
from analysis.models import AnalysisStatus, DigestEntry, RepoDigest, Usage
from analysis.overview import cache
from analysis.overview.heuristic import heuristic_overview
from analysis.overview.llm import StructuredCompleter, llm_overview
from analysis.overview.models import Overview

log = logging.getLogger(__name__)


def _pending(entries: list[DigestEntry]) -> bool:
    return any(e.analysis.status is AnalysisStatus.PENDING for e in entries)


async def day_overview(
    db: sqlite_utils.Database,
    cfg: PipelineConfig,
    repo: str,
    date: str,
    entries: list[DigestEntry],
    completer: StructuredCompleter | None,
    usage: Usage,
) -> Overview | None:
    """The overview of `entries` (None when there are none), cached by repository and day; model calls
    are added to `usage`. Without a model, or while cards are pending, the heuristic overview."""
    if not entries:
        return None
    lang = cfg.language
    ask = completer is not None and cfg.llm is not None and not _pending(entries)
    model = completer.model if ask and completer is not None else None
    key = cache.fingerprint(entries, lang, "llm" if ask else "heuristic", model)
    stored = cache.load(db, repo, date)
    if stored is not None and stored.fingerprint == key:
        return stored.overview
    if not ask or completer is None or cfg.llm is None:
        overview = heuristic_overview(entries, lang)
        cache.save(db, cache.Cached(repo, date, key, overview, lang))
        return overview
    outcome = await llm_overview(completer, entries, lang, cfg.llm.prompt_tokens)
    usage.llm_calls += outcome.spent.calls
    usage.prompt_tokens += outcome.spent.prompt_tokens
    usage.completion_tokens += outcome.spent.completion_tokens
    overview = outcome.overview or heuristic_overview(entries, lang)
    if outcome.answered:  # a model that answered badly is not asked again until the day changes
        cache.save(db, cache.Cached(repo, date, key, overview, lang), model, outcome.spent)
    else:
        log.warning("%s: no overview from the model this run; the heuristic one is shown", repo)
    return overview


async def attach_overview(
    db: sqlite_utils.Database,
    cfg: PipelineConfig,
    rd: RepoDigest,
    date: str,
    completer: StructuredCompleter | None,
    usage: Usage,
) -> None:
    """Set `rd.overview` for the repository's digest; one bad overview never stops the digest."""
    try:
        rd.overview = await day_overview(db, cfg, rd.repo, date, rd.entries, completer, usage)
    except Exception:
        log.exception("%s: overview failed; the digest goes out without it", rd.repo)
        rd.overview = None
