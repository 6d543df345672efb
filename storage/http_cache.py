"""ETags and bodies of GET requests, for conditional requests."""

from __future__ import annotations

import sqlite_utils

from storage.db import Row, now, one


def get_http_cache(db: sqlite_utils.Database, url: str) -> Row | None:
    """The stored ETag and body of a GET, or None."""
    return one(db, "select * from http_cache where url = ?", [url])


def set_http_cache(db: sqlite_utils.Database, url: str, etag: str, body: str) -> None:
    """Store the ETag and body of a GET for conditional requests."""
    with db.conn:
        db["http_cache"].upsert({"url": url, "etag": etag, "body": body, "updated_at": now()}, pk="url")
