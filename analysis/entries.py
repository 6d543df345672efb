"""A stored commit as the digest shows it: its analysis, its computed interface changes and its lineage."""

from __future__ import annotations

import sqlite_utils

from analysis.heuristic import heuristic_analysis
from analysis.importance import score
from analysis.lineage_links import attach_lineage
from analysis.models import DigestEntry
from analysis.store import analyses as analysis_store
from analysis.store import commits as commit_store
from analysis.store import interface_reports as report_store


def stored_entry(
    db: sqlite_utils.Database, repo: str, sha: str, *, scored_if_missing: bool = False
) -> DigestEntry | None:
    """The stored commit with its analysis (the scorer's card when `scored_if_missing` and none is stored),
    interface changes and lineage; None when the commit, or its analysis, is not stored."""
    commit = commit_store.stored_commit(db, repo, sha, detailed=False)
    if commit is None:
        return None
    analysis = analysis_store.get_analysis(db, repo, sha)
    if analysis is None and scored_if_missing:
        analysis = heuristic_analysis(commit, score(commit), "en")
    if analysis is None:
        return None
    entry = DigestEntry(commit, analysis, report_store.get_reports(db, repo, [sha]).get(sha))
    attach_lineage(db, [entry])
    return entry
