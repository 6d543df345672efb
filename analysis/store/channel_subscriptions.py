"""Channel subscriptions to repositories: the SQL of the `subscriptions` table, its rows, and typed access."""

from __future__ import annotations

import json

import sqlite_utils

from analysis.models import Importance
from analysis.state import Subscription
from analysis.store.codec import Row, decoded
from storage.db import now


def _subscription(row: Row) -> Subscription:
    return Subscription(
        channel=row["channel"],
        repo=row["repo"],
        paths=list(decoded(row["paths"], [])),
        min_importance=Importance(row["min_importance"] or "low"),
        exclude_authors=list(decoded(row["exclude_authors"], [])),
        exclude_titles=list(decoded(row["exclude_titles"], [])),
    )


def save_subscription(db: sqlite_utils.Database, sub: Subscription, created_by: str | None = None) -> None:
    """Store a subscription, replacing the channel's earlier one for the same repository."""
    row = {
        "channel": sub.channel,
        "repo": sub.repo,
        "paths": json.dumps(sub.paths),
        "min_importance": sub.min_importance.value,
        "exclude_authors": json.dumps(sub.exclude_authors),
        "exclude_titles": json.dumps(sub.exclude_titles),
        "created_by": created_by,
        "created_at": now(),
    }
    with db.conn:
        db["subscriptions"].upsert(row, pk=("channel", "repo"))


def delete_subscription(db: sqlite_utils.Database, channel: str, repo: str) -> bool:
    """Remove a channel's subscription; True when there was one."""
    with db.conn:
        cur = db.execute("delete from subscriptions where channel = ? and repo = ?", [channel, repo])
    return cur.rowcount > 0


def list_subscriptions(db: sqlite_utils.Database, channel: str | None = None) -> list[Subscription]:
    """The subscriptions of one channel, or of all channels, by channel and repository."""
    where, params = ("channel = ?", [channel]) if channel else (None, [])
    rows = db["subscriptions"].rows_where(where, params, order_by="channel, repo")
    return [_subscription(r) for r in rows]
