"""Every conversion between models and the plain rows `storage` keeps: nothing past this module sees a dict."""

from __future__ import annotations

import json
from dataclasses import fields
from datetime import UTC, datetime

from analysis.models import (
    Analysis,
    AnalysisStatus,
    Commit,
    FileChange,
    Importance,
    Usage,
    card_from_json,
    card_to_json,
)
from analysis.state import (
    Alert,
    AlertStatus,
    Cursor,
    Delivery,
    DeliveryStatus,
    RepositoryState,
    RunRecord,
    RunStatus,
    Subscription,
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


def _json(value: str | list | dict | None, empty: list | dict) -> list | dict:
    if isinstance(value, list | dict):
        return value
    return json.loads(value) if value else empty


def delivery_from_row(row: Row) -> Delivery:
    """A delivery record from its `digests` row."""
    return Delivery(
        channel=row["channel"],
        date=row["date"],
        status=DeliveryStatus(row["status"] or "posting"),
        message_ts=row["message_ts"],
        parts=list(_json(row.get("parts"), [])),
        replies=dict(_json(row.get("replies"), {})),
        repos=list(_json(row.get("repos"), [])),
        shas=list(_json(row.get("shas"), [])),
        error=row.get("error"),
        created_at=row.get("created_at"),
        updated_at=row.get("updated_at"),
    )


def delivery_to_row(d: Delivery) -> Row:
    """The `digests` row of a delivery record."""
    return {
        "key": d.key,
        "channel": d.channel,
        "date": d.date,
        "status": d.status.value,
        "message_ts": d.parts[0] if d.parts else d.message_ts,
        "parts": d.parts,
        "replies": d.replies,
        "repos": d.repos,
        "shas": d.shas,
        "error": d.error,
    }


def alert_from_row(row: Row) -> Alert:
    """An alert from its `alerts` row."""
    return Alert(
        channel=row["channel"],
        kind=row["kind"],
        text=row["text"] or "",
        status=AlertStatus(row["status"] or "active"),
        message_ts=row["message_ts"],
        created_at=row.get("created_at"),
        updated_at=row.get("updated_at"),
    )


def alert_to_row(a: Alert) -> Row:
    """The `alerts` row of an alert (created_at is set by storage on insert)."""
    row = {"channel": a.channel, "kind": a.kind, "text": a.text, "status": a.status.value}
    return row | {"message_ts": a.message_ts} | ({"created_at": a.created_at} if a.created_at else {})


def run_from_row(row: Row) -> RunRecord:
    """A run record from its `runs` row."""
    names = {f.name for f in fields(RunRecord)}
    values = {k: v for k, v in row.items() if k in names}
    values["status"] = RunStatus(row["status"] or "ok")
    for k in ("commits", "fetched", "requests", "llm_calls", "prompt_tokens", "completion_tokens"):
        values[k] = values.get(k) or 0
    return RunRecord(**values)


def run_to_row(r: RunRecord) -> Row:
    """The `runs` row of a run record (without its id, which storage assigns)."""
    row = {f.name: getattr(r, f.name) for f in fields(RunRecord) if f.name != "id"}
    row["status"] = r.status.value
    return row


def cursor_from_row(row: Row) -> Cursor:
    """A cursor from its `cursors` row."""
    return Cursor(row["repo"], row["target"], row["branch"] or "", row["sha"], row["updated_at"] or "")


def repository_from_row(row: Row) -> RepositoryState:
    """A repository's state from its `repositories` row."""
    names = {f.name for f in fields(RepositoryState)}
    return RepositoryState(**{k: v for k, v in row.items() if k in names})


def repository_to_row(r: RepositoryState) -> Row:
    """The `repositories` row of a repository's state; fields left None are not written, but for the last error."""
    row = {f.name: getattr(r, f.name) for f in fields(RepositoryState) if getattr(r, f.name) is not None}
    return row | ({"last_error": r.last_error} if r.last_run_at else {})


def usage_from_row(row: Row) -> Usage:
    """Usage totals from a summing query's row."""
    names = {f.name for f in fields(Usage)} - {"cost_usd"}
    return Usage(**{k: int(v or 0) for k, v in row.items() if k in names})


def subscription_from_row(row: Row) -> Subscription:
    """A subscription from its `subscriptions` row (list fields already decoded by storage)."""
    return Subscription(
        channel=row["channel"],
        repo=row["repo"],
        paths=list(row["paths"] or []),
        min_importance=Importance(row["min_importance"] or "low"),
        exclude_authors=list(row["exclude_authors"] or []),
        exclude_titles=list(row["exclude_titles"] or []),
    )


def subscription_to_row(s: Subscription, created_by: str | None = None) -> Row:
    """The `subscriptions` row of a subscription."""
    return {
        "channel": s.channel,
        "repo": s.repo,
        "paths": s.paths,
        "min_importance": s.min_importance.value,
        "exclude_authors": s.exclude_authors,
        "exclude_titles": s.exclude_titles,
        "created_by": created_by,
    }
