"""Giving the file back the room of dropped rows (patches are cleared once analyzed)."""

from __future__ import annotations

import logging
import sqlite3

import sqlite_utils

log = logging.getLogger(__name__)
MIN_FREE_BYTES = 1 << 20  # a VACUUM is worth it past 1 MiB free ...
MIN_FREE_SHARE = 0.25  # ... making up a quarter of the file or more


def reclaim_space(db: sqlite_utils.Database) -> bool:
    """VACUUM when the free pages are large and a big share of the file; True when it ran."""
    conn = db.conn
    try:
        free = conn.execute("PRAGMA freelist_count").fetchone()[0]
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        size = conn.execute("PRAGMA page_size").fetchone()[0]
        if free * size < MIN_FREE_BYTES or free < pages * MIN_FREE_SHARE or conn.in_transaction:
            return False
        conn.execute("VACUUM")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # in WAL mode the file shrinks at the checkpoint
    except (
        sqlite3.OperationalError
    ) as e:  # busy (another process reads) or read-only: the next run tries again
        log.info("the database was not compacted: %s", e)
        return False
    log.info("the database was compacted: %d of %d pages were free", free, pages)
    return True
