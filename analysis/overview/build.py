"""One repository-day's overview: from the cache when the day is unchanged, else by the model or the heuristic."""

from __future__ import annotations

import logging

import sqlite_utils

from analysis.config import PipelineConfig
from analysis.llm.request import Requester
from analysis.models import AnalysisStatus, DigestEntry, RepoDigest, Usage
from analysis.overview import cache
from analysis.overview.heuristic import heuristic_overview
from analysis.overview.llm import llm_overview
from analysis.overview.overview_types import Overview

log = logging.getLogger(__name__)


def _pending(entries: list[DigestEntry]) -> bool:
    return any(e.analysis.status is AnalysisStatus.PENDING for e in entries)


async def day_overview(
    db: sqlite_utils.Database,
    cfg: PipelineConfig,
    repo: str,
    date: str,
    entries: list[DigestEntry],
    requester: Requester | None,
    usage: Usage,
) -> Overview | None:
    """The overview of `entries` (None when there are none), cached by repository and day; model calls
    are added to `usage`. Without a model, or while cards are pending, the heuristic overview."""
    if not entries:
        return None
    lang = cfg.language
    ask = requester is not None and cfg.llm is not None and not _pending(entries)
    model = requester.model if ask and requester is not None else None
    key = cache.fingerprint(entries, lang, "llm" if ask else "heuristic", model)
    stored = cache.load(db, repo, date)
    if stored is not None and stored.fingerprint == key:
        return stored.overview
    if not ask or requester is None or cfg.llm is None:
        overview = heuristic_overview(entries, lang)
        cache.save(db, cache.Cached(repo, date, key, overview, lang))
        return overview
    outcome = await llm_overview(requester, entries, lang, cfg.llm.prompt_tokens)
    usage.add(outcome.usage)
    overview = outcome.overview or heuristic_overview(entries, lang)
    if outcome.answered:  # a model that answered badly is not asked again until the day changes
        cache.save(db, cache.Cached(repo, date, key, overview, lang), model, outcome.usage)
    else:
        log.warning("%s: no overview from the model this run; the heuristic one is shown", repo)
    return overview


async def attach_overview(
    db: sqlite_utils.Database,
    cfg: PipelineConfig,
    rd: RepoDigest,
    date: str,
    requester: Requester | None,
    usage: Usage,
) -> None:
    """Set `rd.overview` for the repository's digest; one bad overview never stops the digest."""
    try:
        rd.overview = await day_overview(db, cfg, rd.repo, date, rd.entries, requester, usage)
    except Exception:
        log.exception("%s: overview failed; the digest goes out without it", rd.repo)
        rd.overview = None
