"""Slack events already handled, and the analysis cards posted in the threads of shared links."""

from __future__ import annotations

import datetime as dt

import sqlite_utils

from storage.db import Row, now, one

KEEP_EVENTS = dt.timedelta(days=3)  # Slack retries an event for minutes, never for days


def claim_event(db: sqlite_utils.Database, event_id: str, kind: str) -> bool:
    """Record `event_id` as handled; False when it already was (a retry of the same event)."""
    cutoff = (dt.datetime.now(dt.UTC) - KEEP_EVENTS).isoformat(timespec="seconds")
    with db.conn:
        cur = db.execute(
            "insert or ignore into events (event_id, kind, received_at) values (?, ?, ?)",
            [event_id, kind, now()],
        )
        db.execute("delete from events where received_at < ?", [cutoff])
    return cur.rowcount > 0


def get_link_reply(db: sqlite_utils.Database, channel: str, thread_ts: str, sha: str) -> Row | None:
    """The card posted for `sha` in the thread of `thread_ts`, or None."""
    return one(
        db,
        "select * from link_replies where channel = ? and thread_ts = ? and sha = ?",
        [channel, thread_ts, sha],
    )


def save_link_reply(db: sqlite_utils.Database, row: Row) -> None:
    """Record the card posted for a commit in the thread of a shared link."""
    with db.conn:
        db["link_replies"].upsert({**row, "created_at": now()}, pk=("channel", "thread_ts", "sha"))
