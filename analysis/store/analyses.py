"""Analyses, one per commit: the SQL of the `analyses` table, its rows, and typed access."""

from __future__ import annotations

import json

import sqlite_utils
from sqlite_utils.db import NotFoundError

from analysis.bounds import bound_card
from analysis.models import Analysis, AnalysisStatus, Card, Importance
from analysis.store.codec import Row, chunks, redacted
from storage.db import now


def card_to_json(card: Card | None) -> str | None:
    """Serialise a card for storage."""
    return card.model_dump_json() if card else None


def card_from_json(text: str | None) -> Card | None:
    """Load a stored card; None when absent."""
    return Card.model_validate(json.loads(text)) if text else None


def _analysis_row(repo: str, a: Analysis) -> Row:
    return {
        "repo": repo,
        "sha": a.sha,
        "status": a.status.value,
        "scored": a.scored.value,
        "importance": a.importance.value,
        "reasons": json.dumps(a.reasons, ensure_ascii=False),
        "card": card_to_json(a.card),
        "model": a.model,
        "prompt_version": a.prompt_version,
        "language": a.language,
        "prompt_tokens": a.prompt_tokens,
        "completion_tokens": a.completion_tokens,
        "llm_calls": a.llm_calls,
        "latency_ms": a.latency_ms,
        "attempts": a.attempts,
        "error": a.error,
    }


def _analysis(row: Row) -> Analysis:
    return Analysis(
        sha=row["sha"],
        status=AnalysisStatus(row["status"]),
        scored=Importance(row["scored"]),
        card=card_from_json(row["card"]),
        reasons=json.loads(row["reasons"] or "[]"),
        model=row["model"],
        prompt_version=row["prompt_version"],
        language=row["language"] or "en",
        prompt_tokens=row["prompt_tokens"] or 0,
        completion_tokens=row["completion_tokens"] or 0,
        llm_calls=row["llm_calls"] or 0,
        latency_ms=row["latency_ms"] or 0,
        attempts=row["attempts"] or 0,
        error=row["error"],
        updated_at=row.get("updated_at"),
    )


def get_analysis(db: sqlite_utils.Database, repo: str, sha: str) -> Analysis | None:
    """A commit's stored analysis, or None."""
    try:
        return _analysis(db["analyses"].get((repo, sha)))
    except NotFoundError:
        return None


def get_analyses(db: sqlite_utils.Database, repo: str, shas: list[str]) -> dict[str, Analysis]:
    """The stored analyses of the given commits, by SHA."""
    out: dict[str, Analysis] = {}
    for part, marks in chunks(shas):
        for row in db["analyses"].rows_where(f"repo = ? and sha in ({marks})", [repo, *part]):
            out[row["sha"]] = _analysis(row)
    return out


def save_analysis(db: sqlite_utils.Database, repo: str, analysis: Analysis) -> None:
    """Store a commit's analysis (its card bounded, its error redacted), replacing the previous one."""
    if analysis.card is not None:
        analysis.card = bound_card(analysis.card)
    row = redacted(_analysis_row(repo, analysis), "error") | {"updated_at": now()}
    with db.conn:
        db["analyses"].upsert(row, pk=("repo", "sha"))


def unfinished_analyses(db: sqlite_utils.Database, repo: str, max_attempts: int) -> list[Analysis]:
    """Pending or failed analyses of a repository still under the attempt cap."""
    where = "repo = ? and status in ('pending', 'failed') and attempts < ?"
    return [_analysis(r) for r in db["analyses"].rows_where(where, [repo, max_attempts])]


def analysis_counts(db: sqlite_utils.Database, repo: str | None = None) -> dict[str, int]:
    """How many analyses (of one repository, or all) are in each status."""
    where, params = (" where repo = ?", [repo]) if repo else ("", [])
    sql = f"select status, count(*) as n from analyses{where} group by status"
    return {r["status"]: r["n"] for r in db.query(sql, params)}


def shared_analysis(db: sqlite_utils.Database, repo: str, fingerprint: str, sha: str) -> Analysis | None:
    """A finished analysis of another commit with the same content fingerprint, or None."""
    sql = (
        "select a.* from analyses a join commits c on c.repo = a.repo and c.sha = a.sha "
        "where c.repo = ? and c.fingerprint = ? and c.sha != ? and a.status in ('done', 'heuristic') "
        "order by a.updated_at desc limit 1"
    )
    row = next(db.query(sql, [repo, fingerprint, sha]), None)
    return _analysis(row) if row else None
