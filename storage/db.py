"""Open the SQLite database (WAL, migrated) and the small query helpers every table module uses."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import sqlite_utils

from storage import migrations

Row = dict[str, Any]


class StorageError(Exception):
    """The database could not be opened or used."""


def now() -> str:
    """The current UTC time as ISO 8601."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _wal(db: sqlite_utils.Database, patience: float = 30.0) -> None:
    """Switch to WAL; another process opening the same new file at once may hold it briefly."""
    deadline = time.monotonic() + patience
    while True:
        try:
            db.enable_wal()
            return
        except sqlite3.OperationalError as e:
            if "locked" not in str(e) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def open_db(path: str | os.PathLike[str]) -> sqlite_utils.Database:
    """Open (creating if needed) the database at `path`, in WAL mode, migrated."""
    p = Path(path)
    try:
        if str(path) != ":memory:":
            p.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(str(path), timeout=30, check_same_thread=False)
        db = sqlite_utils.Database(conn)
        db.execute("PRAGMA busy_timeout=30000")
        if str(path) != ":memory:":
            _wal(db)
        db.execute("PRAGMA synchronous=NORMAL")
        migrations.apply(db)
    except (sqlite3.Error, OSError) as e:
        raise StorageError(f"cannot open database {path}: {e}") from e
    return db


def one(db: sqlite_utils.Database, sql: str, params: Iterable[Any] = ()) -> Row | None:
    """The first row of a query as a dict, or None."""
    cur = db.execute(sql, list(params))
    row = cur.fetchone()
    if row is None:
        return None
    return dict(zip([c[0] for c in cur.description], row, strict=True))


def all_rows(db: sqlite_utils.Database, sql: str, params: Iterable[Any] = ()) -> list[Row]:
    """Every row of a query as dicts."""
    cur = db.execute(sql, list(params))
    cols = [c[0] for c in cur.description]
    return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]


def by_sha(db: sqlite_utils.Database, table: str, repo: str, shas: list[str]) -> dict[str, Row]:
    """Rows of `table` for one repository and the given SHAs, by SHA (queried in chunks)."""
    out: dict[str, Row] = {}
    for i in range(0, len(shas), 500):
        chunk = shas[i : i + 500]
        marks = ",".join("?" * len(chunk))
        for row in all_rows(db, f"select * from {table} where repo = ? and sha in ({marks})", [repo, *chunk]):
            out[row["sha"]] = row
    return out
