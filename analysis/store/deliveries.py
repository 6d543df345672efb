"""Digest deliveries, alerts, handled Slack events and link replies: their SQL, rows and typed access."""

from __future__ import annotations

import datetime as dt
import json

import sqlite_utils
from sqlite_utils.db import NotFoundError

from analysis.state import Alert, AlertStatus, Delivery, DeliveryStatus
from analysis.store.codec import Row, decoded, redacted
from storage.db import now

KEEP_EVENTS = dt.timedelta(days=3)  # Slack retries an event for minutes, never for days
_JSON = ("replies", "repos", "shas", "parts")


def _delivery(row: Row) -> Delivery:
    return Delivery(
        channel=row["channel"],
        date=row["date"],
        status=DeliveryStatus(row["status"] or "posting"),
        message_ts=row["message_ts"],
        parts=list(decoded(row.get("parts"), [])),
        replies=dict(decoded(row.get("replies"), {})),
        repos=list(decoded(row.get("repos"), [])),
        shas=list(decoded(row.get("shas"), [])),
        error=row.get("error"),
        created_at=row.get("created_at"),
        updated_at=row.get("updated_at"),
    )


def _delivery_row(d: Delivery) -> Row:
    return {
        "key": d.key,
        "channel": d.channel,
        "date": d.date,
        "status": d.status.value,
        "message_ts": d.parts[0] if d.parts else d.message_ts,
        "parts": json.dumps(d.parts),
        "replies": json.dumps(d.replies),
        "repos": json.dumps(d.repos),
        "shas": json.dumps(d.shas),
        "error": d.error,
    }


def _first(db: sqlite_utils.Database, sql: str, params: list) -> Row | None:
    return next(db.query(sql, params), None)


def get_delivery(db: sqlite_utils.Database, channel: str, date: str) -> Delivery | None:
    """A channel's delivery record for one day, or None."""
    try:
        return _delivery(db["digests"].get(f"{channel}:{date}"))
    except NotFoundError:
        return None


def save_delivery(db: sqlite_utils.Database, delivery: Delivery) -> None:
    """Insert or update a delivery record (its error redacted); created_at is set on insert."""
    row = redacted(_delivery_row(delivery), "error") | {"updated_at": now()}
    if _first(db, "select key from digests where key = ?", [row["key"]]) is None:
        row["created_at"] = row["updated_at"]
    with db.conn:
        db["digests"].upsert(row, pk="key")


def latest_delivery(db: sqlite_utils.Database, channel: str) -> Delivery | None:
    """A channel's delivery record with the latest date, or None."""
    sql = "select * from digests where channel = ? order by date desc, created_at desc limit 1"
    row = _first(db, sql, [channel])
    return _delivery(row) if row else None


def delivery_by_message(db: sqlite_utils.Database, channel: str, message_ts: str) -> Delivery | None:
    """The delivery record one of whose top-level messages (any part) is `message_ts`, or None."""
    row = _first(db, "select * from digests where channel = ? and message_ts = ?", [channel, message_ts])
    if row is not None:
        return _delivery(row)
    # a later part of a digest split across several messages
    for cand in db["digests"].rows_where("channel = ? and parts like ?", [channel, f'%"{message_ts}"%']):
        found = _delivery(cand)
        if message_ts in found.parts:
            return found
    return None


def _alert(row: Row) -> Alert:
    return Alert(
        channel=row["channel"],
        kind=row["kind"],
        text=row["text"] or "",
        status=AlertStatus(row["status"] or "active"),
        message_ts=row["message_ts"],
        created_at=row.get("created_at"),
        updated_at=row.get("updated_at"),
    )


def get_alert(db: sqlite_utils.Database, channel: str, kind: str) -> Alert | None:
    """The alert of one kind in one channel, active or resolved, or None."""
    try:
        return _alert(db["alerts"].get(f"{channel}:{kind}"))
    except NotFoundError:
        return None


def save_alert(db: sqlite_utils.Database, alert: Alert) -> None:
    """Insert or update an alert (its text redacted); created_at is set on insert when the alert has none."""
    row: Row = {
        "channel": alert.channel,
        "kind": alert.kind,
        "text": alert.text,
        "status": alert.status.value,
    }
    row |= {"message_ts": alert.message_ts, "key": f"{alert.channel}:{alert.kind}", "updated_at": now()}
    if alert.created_at:
        row["created_at"] = alert.created_at
    elif _first(db, "select key from alerts where key = ?", [row["key"]]) is None:
        row["created_at"] = row["updated_at"]
    with db.conn:
        db["alerts"].upsert(redacted(row, "text"), pk="key")


def raise_alert(db: sqlite_utils.Database, alert: Alert) -> None:
    """Store an alert raised afresh: its created_at becomes the current time."""
    alert.created_at = now()
    save_alert(db, alert)


def active_alerts(db: sqlite_utils.Database, channel: str | None = None) -> list[Alert]:
    """Active alerts, for one channel or all, oldest first."""
    where, params = ("status = 'active' and channel = ?", [channel]) if channel else ("status = 'active'", [])
    rows = db["alerts"].rows_where(where, params, order_by="created_at, key")
    return [a for a in map(_alert, rows) if a.status is AlertStatus.ACTIVE]


def claim_event(db: sqlite_utils.Database, event_id: str, kind: str) -> bool:
    """Record a Slack event as handled; False when it already was (Slack retried it)."""
    cutoff = (dt.datetime.now(dt.UTC) - KEEP_EVENTS).isoformat(timespec="seconds")
    with db.conn:
        cur = db.execute(
            "insert or ignore into events (event_id, kind, received_at) values (?, ?, ?)",
            [event_id, kind, now()],
        )
        db.execute("delete from events where received_at < ?", [cutoff])
    return cur.rowcount > 0


def link_reply(db: sqlite_utils.Database, channel: str, thread_ts: str, sha: str) -> str | None:
    """The ts of the card already posted for `sha` in the thread of `thread_ts`, or None."""
    try:
        return db["link_replies"].get((channel, thread_ts, sha))["reply_ts"]
    except NotFoundError:
        return None


def save_link_reply(
    db: sqlite_utils.Database, channel: str, thread_ts: str, repo: str, sha: str, reply_ts: str
) -> None:
    """Record the card posted for a commit in the thread of a shared link."""
    row = {"channel": channel, "thread_ts": thread_ts, "repo": repo, "sha": sha, "reply_ts": reply_ts}
    with db.conn:
        db["link_replies"].upsert(row | {"created_at": now()}, pk=("channel", "thread_ts", "sha"))
