"""Typed access to what each digest target was told, content fingerprints, rewrites, and claims."""

from __future__ import annotations

import sqlite_utils

from analysis import rows
from analysis.models import Analysis
from storage import claims, history


def reported_shas(db: sqlite_utils.Database, repo: str, target: str) -> set[str]:
    """Every commit of `repo` that digest target `target` has been told about."""
    return history.reported_shas(db, repo, target)


def stored_shas(db: sqlite_utils.Database, repo: str) -> set[str]:
    """Every stored commit of a repository."""
    return history.stored_shas(db, repo)


def mark_reported(db: sqlite_utils.Database, repo: str, target: str, shas: list[str]) -> None:
    """Record that `target` has been told about these commits."""
    history.mark_reported(db, repo, target, shas)


def set_fingerprints(db: sqlite_utils.Database, repo: str, prints: dict[str, str]) -> None:
    """Store the content fingerprints of stored commits."""
    history.set_fingerprints(db, repo, prints)


def fingerprint_of(db: sqlite_utils.Database, repo: str, sha: str) -> str | None:
    """A stored commit's content fingerprint, or None."""
    return history.fingerprints(db, repo, [sha]).get(sha)


def reported_by_fingerprint(
    db: sqlite_utils.Database, repo: str, target: str, prints: list[str]
) -> dict[str, str]:
    """fingerprint -> SHA of a commit reported to `target` with that fingerprint."""
    return history.reported_by_fingerprint(db, repo, target, prints)


def shared_analysis(db: sqlite_utils.Database, repo: str, fingerprint: str, sha: str) -> Analysis | None:
    """A finished analysis of another commit with the same content fingerprint, or None."""
    row = history.finished_analysis_by_fingerprint(db, repo, fingerprint, sha)
    return rows.analysis_from_row(row) if row else None


def link_rewrite(db: sqlite_utils.Database, repo: str, sha: str, original: str) -> None:
    """Record that commit `sha` is a rewritten copy of `original`."""
    history.link_rewrite(db, repo, sha, original)


def rewrite_of(db: sqlite_utils.Database, repo: str, sha: str) -> str | None:
    """The original a rewritten commit replaced, or None."""
    return history.rewrite_of(db, repo, sha)


def new_claim_holder() -> str:
    """A claim holder name unique to this process and call."""
    return claims.new_holder()


def acquire_claim(db: sqlite_utils.Database, name: str, holder: str, lease_seconds: float) -> bool:
    """Take claim `name` (in an immediate transaction) unless another live holder has it."""
    return claims.acquire(db, name, holder, lease_seconds)


def renew_claim(db: sqlite_utils.Database, name: str, holder: str, lease_seconds: float) -> bool:
    """Extend a held claim's lease; False when it is no longer held by `holder`."""
    return claims.renew(db, name, holder, lease_seconds)


def release_claim(db: sqlite_utils.Database, name: str, holder: str) -> None:
    """Give up a held claim."""
    claims.release(db, name, holder)
