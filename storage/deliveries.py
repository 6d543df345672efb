"""Digest delivery records (one per channel and day) and alerts."""

from __future__ import annotations

import json
from typing import Any

import sqlite_utils

from storage.db import Row, all_rows, now, one


def get_digest(db: sqlite_utils.Database, key: str) -> Row | None:
    """A digest delivery record (`channel:date`), or None."""
    row = one(db, "select * from digests where key = ?", [key])
    if row:
        for k in ("replies", "repos", "shas", "parts"):
            row[k] = json.loads(row[k]) if row.get(k) else ({} if k == "replies" else [])
    return row


def save_digest(db: sqlite_utils.Database, row: Row) -> None:
    """Insert or update a digest delivery record; JSON-encodes list and map fields."""
    row = dict(row)
    for k in ("replies", "repos", "shas", "parts"):
        if k in row and not isinstance(row[k], str | type(None)):
            row[k] = json.dumps(row[k])
    row["updated_at"] = now()
    if not one(db, "select key from digests where key = ?", [row["key"]]):
        row.setdefault("created_at", row["updated_at"])
    with db.conn:
        db["digests"].upsert(row, pk="key")


def latest_digest(db: sqlite_utils.Database, channel: str) -> Row | None:
    """The digest delivery record of a channel with the latest date, or None."""
    row = one(
        db, "select key from digests where channel = ? order by date desc, created_at desc limit 1", [channel]
    )
    return get_digest(db, row["key"]) if row else None


def digest_by_message(db: sqlite_utils.Database, channel: str, message_ts: str) -> Row | None:
    """The digest delivery record one of whose top-level messages (any part) is `message_ts`, or None."""
    row = one(db, "select key from digests where channel = ? and message_ts = ?", [channel, message_ts])
    if row is None:  # a later part of a digest split across several messages
        for cand in all_rows(
            db, "select key from digests where channel = ? and parts like ?", [channel, f'%"{message_ts}"%']
        ):
            rec = get_digest(db, cand["key"])
            if rec and message_ts in rec["parts"]:
                return rec
    return get_digest(db, row["key"]) if row else None


def get_alert(db: sqlite_utils.Database, channel: str, kind: str) -> Row | None:
    """The alert of one kind in one channel, active or resolved, or None."""
    return one(db, "select * from alerts where key = ?", [f"{channel}:{kind}"])


def save_alert(db: sqlite_utils.Database, row: Row) -> None:
    """Insert or update an alert (keyed by `channel:kind`)."""
    row = {**row, "key": f"{row['channel']}:{row['kind']}", "updated_at": now()}
    if not one(db, "select key from alerts where key = ?", [row["key"]]):
        row.setdefault("created_at", row["updated_at"])
    with db.conn:
        db["alerts"].upsert(row, pk="key")


def active_alerts(db: sqlite_utils.Database, channel: str | None = None) -> list[Row]:
    """Active alerts, for one channel or all, oldest first."""
    sql = "select * from alerts where status = 'active'"
    params: list[Any] = []
    if channel:
        sql += " and channel = ?"
        params.append(channel)
    return all_rows(db, sql + " order by created_at, key", params)
