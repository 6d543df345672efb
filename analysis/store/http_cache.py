"""Typed access to the HTTP cache of conditional GETs."""

from __future__ import annotations

import sqlite_utils

from storage import http_cache


class HttpCacheTable:
    """The HTTP cache of conditional GETs, kept in SQLite."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self._db = db

    def get(self, url: str) -> tuple[str, str] | None:
        """The stored (ETag, body) of `url`, or None."""
        row = http_cache.get_http_cache(self._db, url)
        return (row["etag"], row["body"]) if row else None

    def put(self, url: str, etag: str, body: str) -> None:
        """Store the ETag and body of `url`."""
        http_cache.set_http_cache(self._db, url, etag, body)
