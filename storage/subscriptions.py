"""Channel subscriptions to repositories."""

from __future__ import annotations

import json
from typing import Any

import sqlite_utils

from storage.db import Row, all_rows, now


def save_subscription(db: sqlite_utils.Database, row: Row) -> None:
    """Insert or replace a channel's subscription to a repository (keyed by channel and repo)."""
    row = {k: json.dumps(v) if isinstance(v, list) else v for k, v in row.items()}
    row.setdefault("created_at", now())
    with db.conn:
        db["subscriptions"].upsert(row, pk=("channel", "repo"))


def delete_subscription(db: sqlite_utils.Database, channel: str, repo: str) -> bool:
    """Remove a channel's subscription; True when there was one."""
    with db.conn:
        cur = db.execute("delete from subscriptions where channel = ? and repo = ?", [channel, repo])
    return cur.rowcount > 0


def list_subscriptions(db: sqlite_utils.Database, channel: str | None = None) -> list[Row]:
    """Subscriptions of one channel, or of all channels, by channel and repo; JSON fields decoded."""
    sql = "select * from subscriptions"
    params: list[Any] = []
    if channel:
        sql += " where channel = ?"
        params.append(channel)
    rows = all_rows(db, sql + " order by channel, repo", params)
    for r in rows:
        for k in ("paths", "exclude_authors", "exclude_titles"):
            r[k] = json.loads(r[k]) if r.get(k) else []
    return rows
