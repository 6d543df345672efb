"""Open the SQLite database: WAL, migrated and checked, or read-only; and the time stamp every table uses."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import time
from pathlib import Path
from urllib.parse import quote

import sqlite_utils

from storage import check, migrations
from storage.errors import CommitDigestError


class StorageError(CommitDigestError):
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
            busy = (getattr(e, "sqlite_errorcode", 0) & 0xFF) in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
            if not busy or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


FIX = (
    "restore it from a backup, or move it aside to start afresh "
    "(the cache of commits and analyses is rebuilt by the next run)"
)


_DAMAGE_SIGNS = ("malformed", "not a database", "corrupt", "disk image", "no such column", "no such table")


def open_db(path: str | os.PathLike[str], *, read_only_ok: bool = False) -> sqlite_utils.Database:
    """Open (creating if needed) the database at `path`, in WAL mode, migrated and checked.

    With `read_only_ok`, a file that cannot be written is opened read-only, without migrations (see `is_read_only`).
    Raises StorageError with one line naming the file, what is wrong and what to do.
    """
    if str(path) == ":memory:":
        return _open_writable(":memory:", memory=True)
    p = Path(path)
    if p.exists() and not _writable(p):
        if not read_only_ok:
            raise StorageError(
                f"database {p} is read-only: make it (and its folder) writable; `status` and `show` can still read it"
            )
        return _open_read_only(p)
    try:
        p.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise StorageError(
            f"cannot open database {p}: cannot create its folder ({e.strerror or e})"
        ) from None
    return _open_writable(p)


def is_read_only(db: sqlite_utils.Database) -> bool:
    """True when the database was opened read-only (a file that cannot be written)."""
    return bool(db.execute("PRAGMA query_only").fetchone()[0])


def _writable(p: Path) -> bool:
    return os.access(p, os.W_OK) and os.access(p.parent, os.W_OK)


def _open_writable(path: str | Path, *, memory: bool = False) -> sqlite_utils.Database:
    conn = None
    try:
        conn = sqlite3.connect(str(path), timeout=30, check_same_thread=False)
        db = sqlite_utils.Database(conn)
        if not memory:
            _check_integrity(path, conn)
        db.execute("PRAGMA busy_timeout=30000")
        if str(path) != ":memory:":
            _wal(db)
        db.execute("PRAGMA synchronous=NORMAL")
        migrations.apply(db)
        _check_schema(path, conn, check.applied_migrations(conn))
    except StorageError:
        _close(conn)
        raise
    except sqlite3.DatabaseError as e:
        _close(conn)
        raise StorageError(_damaged(path, conn, e)) from None
    except OSError as e:
        _close(conn)
        raise StorageError(f"cannot open database {path}: {e.strerror or e}") from None
    return db


def _open_read_only(p: Path) -> sqlite_utils.Database:
    """Open a file that cannot be written: `mode=ro`, else `immutable=1` (a WAL file without its -shm)."""
    uri = "file:" + quote(str(p.resolve()))
    conn = None
    for flags in ("mode=ro", "mode=ro&immutable=1"):
        try:
            conn = sqlite3.connect(f"{uri}?{flags}", uri=True, timeout=30, check_same_thread=False)
            conn.execute("PRAGMA query_only=ON")
            _check_integrity(p, conn)
            applied = check.applied_migrations(conn)
            break
        except StorageError:
            _close(conn)
            raise
        except sqlite3.DatabaseError as e:
            _close(conn)
            if flags.endswith("immutable=1") or not isinstance(e, sqlite3.OperationalError):
                raise StorageError(_damaged(p, None, e)) from None
    pending = [fn.__name__ for fn in migrations.MIGRATIONS if fn.__name__ not in set(applied)]
    if pending:
        _close(conn)
        raise StorageError(
            f"database {p} is read-only and needs an upgrade ({', '.join(pending)}): make it writable once"
        )
    assert conn is not None
    _check_schema(p, conn, applied)
    return sqlite_utils.Database(conn)


def _check_integrity(path: str | Path, conn: sqlite3.Connection) -> None:
    found = check.quick_check(conn)
    if found:
        raise StorageError(f"database {path} is damaged (integrity check: {found}): {FIX}")


def _check_schema(path: str | Path, conn: sqlite3.Connection, applied: list[str]) -> None:
    drift = check.schema_drift(conn, applied)
    if drift:
        raise StorageError(f"database {path} does not have the tables its migrations made ({drift}): {FIX}")


def _damaged(path: str | Path, conn: sqlite3.Connection | None, e: sqlite3.DatabaseError) -> str:
    """One line for a database SQLite refuses: its error, and what the integrity check adds."""
    found = None
    if conn is not None:
        try:
            found = check.quick_check(conn)
        except sqlite3.Error:
            found = None
    if not found and not any(sign in str(e).lower() for sign in _DAMAGE_SIGNS):
        return f"cannot open database {path}: {e}"  # e.g. locked by another process: not damage
    detail = f"{e}; integrity check: {found}" if found else str(e)
    return f"database {path} cannot be used ({detail}): {FIX}"


def _close(conn: sqlite3.Connection | None) -> None:
    if conn is not None:
        try:
            conn.close()
        except sqlite3.Error:
            pass
