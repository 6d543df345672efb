"""Typed access to deliveries, alerts and handled Slack events."""

from __future__ import annotations

import sqlite_utils

from analysis import rows
from analysis.state import Alert, AlertStatus, Delivery
from analysis.store.scrub import redacted
from storage import deliveries, events
from storage.db import now


def get_delivery(db: sqlite_utils.Database, channel: str, date: str) -> Delivery | None:
    """A channel's delivery record for one day, or None."""
    row = deliveries.get_digest(db, f"{channel}:{date}")
    return rows.delivery_from_row(row) if row else None


def save_delivery(db: sqlite_utils.Database, delivery: Delivery) -> None:
    """Insert or update a delivery record."""
    deliveries.save_digest(db, redacted(rows.delivery_to_row(delivery), "error"))


def latest_delivery(db: sqlite_utils.Database, channel: str) -> Delivery | None:
    """A channel's delivery record with the latest date, or None."""
    row = deliveries.latest_digest(db, channel)
    return rows.delivery_from_row(row) if row else None


def delivery_by_message(db: sqlite_utils.Database, channel: str, message_ts: str) -> Delivery | None:
    """The delivery record one of whose top-level messages is `message_ts`, or None."""
    row = deliveries.digest_by_message(db, channel, message_ts)
    return rows.delivery_from_row(row) if row else None


def get_alert(db: sqlite_utils.Database, channel: str, kind: str) -> Alert | None:
    """The alert of one kind in one channel, active or resolved, or None."""
    row = deliveries.get_alert(db, channel, kind)
    return rows.alert_from_row(row) if row else None


def save_alert(db: sqlite_utils.Database, alert: Alert) -> None:
    """Insert or update an alert."""
    deliveries.save_alert(db, redacted(rows.alert_to_row(alert), "text"))


def raise_alert(db: sqlite_utils.Database, alert: Alert) -> None:
    """Store an alert raised afresh: its created_at becomes the current time."""
    alert.created_at = now()
    save_alert(db, alert)


def active_alerts(db: sqlite_utils.Database, channel: str | None = None) -> list[Alert]:
    """Active alerts, for one channel or all, oldest first."""
    return [
        a
        for a in map(rows.alert_from_row, deliveries.active_alerts(db, channel))
        if a.status is AlertStatus.ACTIVE
    ]


def claim_event(db: sqlite_utils.Database, event_id: str, kind: str) -> bool:
    """Record a Slack event as handled; False when it already was (Slack retried it)."""
    return events.claim_event(db, event_id, kind)


def link_reply(db: sqlite_utils.Database, channel: str, thread_ts: str, sha: str) -> str | None:
    """The ts of the card already posted for `sha` in the thread of `thread_ts`, or None."""
    row = events.get_link_reply(db, channel, thread_ts, sha)
    return row["reply_ts"] if row else None


def save_link_reply(
    db: sqlite_utils.Database, channel: str, thread_ts: str, repo: str, sha: str, reply_ts: str
) -> None:
    """Record the card posted for a commit in the thread of a shared link."""
    events.save_link_reply(
        db, {"channel": channel, "thread_ts": thread_ts, "repo": repo, "sha": sha, "reply_ts": reply_ts}
    )
