"""Typed access to commits and their analyses."""

from __future__ import annotations

import sqlite_utils

from analysis import rows
from analysis.bounds import bound_card
from analysis.models import Analysis, Commit, DigestEntry
from analysis.store.scrub import redacted
from storage import analyses, commits


def stored_commit(db: sqlite_utils.Database, repo: str, sha: str, *, detailed: bool = True) -> Commit | None:
    """The stored commit with its files; None when absent (or, with `detailed`, when its files were never read)."""
    row = commits.get_commit(db, repo, sha)
    if row is None or (detailed and not row["detailed"]):
        return None
    files = commits.get_files(db, repo, sha) if row["detailed"] else None
    return rows.commit_from_rows(row, files)


def save_commit(db: sqlite_utils.Database, commit: Commit, *, detailed: bool) -> None:
    """Store a commit; with `detailed`, its file changes replace the stored ones."""
    files = [rows.file_to_row(commit.repo, commit.sha, f) for f in commit.files] if detailed else None
    commits.save_commit(db, rows.commit_to_row(commit, detailed=detailed), files)


def get_analysis(db: sqlite_utils.Database, repo: str, sha: str) -> Analysis | None:
    """A commit's stored analysis, or None."""
    row = analyses.get_analysis(db, repo, sha)
    return rows.analysis_from_row(row) if row else None


def get_analyses(db: sqlite_utils.Database, repo: str, shas: list[str]) -> dict[str, Analysis]:
    """The stored analyses of the given commits, by SHA."""
    return {sha: rows.analysis_from_row(r) for sha, r in analyses.get_analyses(db, repo, shas).items()}


def save_analysis(db: sqlite_utils.Database, repo: str, analysis: Analysis) -> None:
    """Store a commit's analysis (its card bounded, its error redacted), replacing the previous one."""
    if analysis.card is not None:
        analysis.card = bound_card(analysis.card)
    analyses.save_analysis(db, redacted(rows.analysis_to_row(repo, analysis), "error"))


def unfinished_analyses(db: sqlite_utils.Database, repo: str, max_attempts: int) -> list[Analysis]:
    """Pending or failed analyses of a repository still under the attempt cap."""
    return [rows.analysis_from_row(r) for r in analyses.unfinished_analyses(db, repo, max_attempts)]


def analysis_counts(db: sqlite_utils.Database, repo: str | None = None) -> dict[str, int]:
    """How many analyses (of one repository, or all) are in each status."""
    return analyses.analysis_counts(db, repo)


def clear_patches(db: sqlite_utils.Database, repo: str, sha: str) -> None:
    """Drop a commit's stored patches once it has been analyzed (the file stats stay)."""
    commits.clear_patches(db, repo, sha)


def stored_entry(db: sqlite_utils.Database, repo: str, sha: str) -> DigestEntry | None:
    """The stored commit with its stored analysis, or None when either is missing."""
    commit = stored_commit(db, repo, sha, detailed=False)
    analysis = get_analysis(db, repo, sha)
    return DigestEntry(commit, analysis) if commit and analysis else None


def commit_keys_by_prefix(db: sqlite_utils.Database, prefix: str) -> list[tuple[str, str]]:
    """(repository, SHA) of the stored commits whose SHA starts with the hex `prefix`, by SHA (at most 20)."""
    return [(r["repo"], r["sha"]) for r in commits.find_by_prefix(db, prefix)]
