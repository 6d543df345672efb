"""Convert between domain models and the plain rows `storage` keeps."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from analysis.models import (
    Analysis,
    AnalysisStatus,
    Commit,
    FileChange,
    Importance,
    card_from_json,
    card_to_json,
)
from storage.db import Row, now


def _iso(d: datetime | None) -> str | None:
    return d.astimezone(UTC).isoformat(timespec="seconds") if d else None


def _dt(s: str | None) -> datetime | None:
    return datetime.fromisoformat(s) if s else None


def commit_to_row(c: Commit, detailed: bool) -> Row:
    """The `commits` row of a commit."""
    return {
        "repo": c.repo,
        "sha": c.sha,
        "title": c.title,
        "message": c.message,
        "author_name": c.author_name,
        "author_email": c.author_email,
        "author_login": c.author_login,
        "committer_name": c.committer_name,
        "committed_at": _iso(c.committed_at),
        "authored_at": _iso(c.authored_at),
        "parents": json.dumps(c.parents),
        "url": c.url,
        "pr": c.pr,
        "additions": c.additions if detailed else None,
        "deletions": c.deletions if detailed else None,
        "files_count": (c.total_files or len(c.files)) if detailed else None,
        "files_truncated": int(c.files_truncated),
        "detailed": int(detailed),
        "fetched_at": now(),
    }


def file_to_row(repo: str, sha: str, f: FileChange) -> Row:
    """The `files` row of a file change."""
    return {
        "repo": repo,
        "sha": sha,
        "path": f.path,
        "status": f.status,
        "additions": f.additions,
        "deletions": f.deletions,
        "previous_path": f.previous_path,
        "binary": int(f.binary),
        "patch": f.patch,
    }


def commit_from_rows(row: Row, files: list[Row] | None = None) -> Commit:
    """A commit from its `commits` row and optional `files` rows."""
    c = Commit(
        repo=row["repo"],
        sha=row["sha"],
        message=row["message"] or row["title"] or "",
        author_name=row["author_name"] or "",
        author_email=row["author_email"] or "",
        author_login=row["author_login"],
        committer_name=row["committer_name"] or "",
        committed_at=_dt(row["committed_at"]) or datetime.fromtimestamp(0, UTC),
        authored_at=_dt(row["authored_at"]),
        parents=json.loads(row["parents"] or "[]"),
        url=row["url"],
        files_truncated=bool(row["files_truncated"]),
        total_files=row["files_count"],
    )
    c.files = [
        FileChange(
            path=f["path"],
            status=f["status"] or "modified",
            additions=f["additions"] or 0,
            deletions=f["deletions"] or 0,
            patch=f["patch"],
            previous_path=f["previous_path"],
            binary=bool(f["binary"]),
        )
        for f in files or []
    ]
    return c


def analysis_to_row(repo: str, a: Analysis) -> Row:
    """The `analyses` row of an analysis."""
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


def analysis_from_row(row: Row) -> Analysis:
    """An analysis from its `analyses` row."""
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
    )
