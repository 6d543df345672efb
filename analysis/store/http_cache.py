"""The HTTP cache of conditional GETs (ETag and body by URL), kept in the `http_cache` table."""

from __future__ import annotations

import sqlite_utils
from sqlite_utils.db import NotFoundError

from storage.db import now


class HttpCacheTable:
    """The HTTP cache of conditional GETs, kept in SQLite."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self._db = db

    def get(self, url: str) -> tuple[str, str] | None:
        """The stored (ETag, body) of `url`, or None."""
        try:
            row = self._db["http_cache"].get(url)
        except NotFoundError:
            return None
        return row["etag"], row["body"]

    def put(self, url: str, etag: str, body: str) -> None:
        """Store the ETag and body of `url`."""
        with self._db.conn:
            self._db["http_cache"].upsert(
                {"url": url, "etag": etag, "body": body, "updated_at": now()}, pk="url"
            )
