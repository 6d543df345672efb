"""Typed access to channel subscriptions."""

from __future__ import annotations

import sqlite_utils

from analysis import rows
from analysis.state import Subscription
from storage import subscriptions


def save_subscription(db: sqlite_utils.Database, sub: Subscription, created_by: str | None = None) -> None:
    """Store a subscription, replacing the channel's earlier one for the same repository."""
    subscriptions.save_subscription(db, rows.subscription_to_row(sub, created_by))


def delete_subscription(db: sqlite_utils.Database, channel: str, repo: str) -> bool:
    """Remove a channel's subscription; True when there was one."""
    return subscriptions.delete_subscription(db, channel, repo)


def list_subscriptions(db: sqlite_utils.Database, channel: str | None = None) -> list[Subscription]:
    """The subscriptions of one channel, or of all channels, by channel and repository."""
    return [rows.subscription_from_row(r) for r in subscriptions.list_subscriptions(db, channel)]
