"""Computed interface changes, one report per commit: the SQL of the `interface_reports` table and typed access."""

from __future__ import annotations

import json

import sqlite_utils

from analysis.interfaces import InterfaceReport
from storage.db import now

_CHUNK = 500  # SHAs per query, under SQLite's variable limit


def save_report(db: sqlite_utils.Database, repo: str, sha: str, report: InterfaceReport) -> None:
    """Store a commit's interface report (an empty one too: it says the commit was looked at)."""
    row = {
        "repo": repo,
        "sha": sha,
        "report": json.dumps(report.to_dict(), ensure_ascii=False),
        "computed_at": now(),
    }
    with db.conn:
        db["interface_reports"].upsert(row, pk=("repo", "sha"))


def get_reports(db: sqlite_utils.Database, repo: str, shas: list[str]) -> dict[str, InterfaceReport]:
    """The stored reports of these commits, by SHA; unreadable rows are left out (and so recomputed)."""
    out: dict[str, InterfaceReport] = {}
    if not db["interface_reports"].exists():
        return out
    for i in range(0, len(shas), _CHUNK):
        chunk = shas[i : i + _CHUNK]
        marks = ",".join("?" * len(chunk))
        rows = db["interface_reports"].rows_where(f"repo = ? AND sha IN ({marks})", [repo, *chunk])
        for row in rows:
            try:
                out[row["sha"]] = InterfaceReport.from_dict(json.loads(row["report"]))
            except (ValueError, TypeError, KeyError):
                continue
    return out
