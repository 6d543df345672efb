"""A full disk under the database: told apart from other failures and said in one line, never as a traceback."""

from __future__ import annotations

import errno
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

import sqlite_utils

from storage.errors import CommitDigestError


class DiskFull(CommitDigestError):
    """The disk holding the database is full; the message names the file and what to do."""

    def __init__(self, path: str):
        super().__init__(f"the disk holding {path} is full: free space and run again (nothing was lost)")
        self.path = path


def is_disk_full(e: BaseException) -> bool:
    """Whether `e` (or what caused it) is SQLite's SQLITE_FULL or the system's ENOSPC."""
    seen: set[int] = set()
    while e is not None and id(e) not in seen:
        seen.add(id(e))
        if isinstance(e, DiskFull):
            return True
        if isinstance(e, sqlite3.OperationalError):
            code = getattr(e, "sqlite_errorcode", None)
            if (code is not None and code & 0xFF == sqlite3.SQLITE_FULL) or "disk is full" in str(e):
                return True
        if isinstance(e, OSError) and e.errno == errno.ENOSPC:
            return True
        e = e.__cause__ or e.__context__  # type: ignore[assignment]
    return False


def db_file(db: sqlite_utils.Database) -> str:
    """The file of the main database of `db` (":memory:" for one in memory)."""
    try:
        for _, name, file in db.conn.execute("PRAGMA database_list").fetchall():
            if name == "main":
                return file or ":memory:"
    except sqlite3.Error:
        pass
    return "the database"


@contextmanager
def full_disk_said(db: sqlite_utils.Database) -> Iterator[None]:
    """Turn a full disk met inside the block into one DiskFull naming the database file."""
    try:
        yield
    except DiskFull:
        raise
    except Exception as e:
        if is_disk_full(e):
            raise DiskFull(db_file(db)) from None
        raise
