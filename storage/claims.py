"""Claims across processes: who may post a channel's digest for a day, or analyze a commit, right now.

A claim is a row taken in an immediate transaction, so two processes sharing the database never both
hold it. It carries a lease: a holder that crashed loses it when the lease runs out, or at once when it
was a process on this host that no longer exists.
"""

from __future__ import annotations

import os
import socket
import sqlite3
import time
import uuid

import sqlite_utils

_HOST = socket.gethostname()


def new_holder() -> str:
    """A holder name unique to this process and call: `host:pid:random`."""
    return f"{_HOST}:{os.getpid()}:{uuid.uuid4().hex[:12]}"


def _dead(holder: str) -> bool:
    """True when `holder` was a process on this host that has exited."""
    host, _, rest = holder.partition(":")
    pid = rest.partition(":")[0]
    if host != _HOST or not pid.isdigit() or int(pid) == os.getpid():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def _immediate(db: sqlite_utils.Database, sql: str, params: list) -> sqlite3.Cursor:
    """Run one statement in its own BEGIN IMMEDIATE transaction (the write lock is taken first)."""
    conn = db.conn
    if conn.in_transaction:
        conn.commit()
    conn.execute("BEGIN IMMEDIATE")
    try:
        cur = conn.execute(sql, params)
        conn.commit()
        return cur
    except BaseException:
        conn.rollback()
        raise


def acquire(db: sqlite_utils.Database, name: str, holder: str, lease_seconds: float) -> bool:
    """Take claim `name` for `holder` for `lease_seconds`; False when another live holder has it."""
    now = time.time()
    conn = db.conn
    if conn.in_transaction:
        conn.commit()
    conn.execute("BEGIN IMMEDIATE")
    try:
        row = conn.execute("select holder, expires_at from claims where name = ?", [name]).fetchone()
        if row is not None and row[0] != holder and row[1] > now and not _dead(row[0]):
            conn.rollback()
            return False
        conn.execute(
            "insert into claims (name, holder, expires_at) values (?, ?, ?) "
            "on conflict(name) do update set holder = excluded.holder, expires_at = excluded.expires_at",
            [name, holder, now + lease_seconds],
        )
        conn.commit()
        return True
    except BaseException:
        conn.rollback()
        raise


def renew(db: sqlite_utils.Database, name: str, holder: str, lease_seconds: float) -> bool:
    """Extend `holder`'s claim; False when it is no longer theirs."""
    cur = _immediate(
        db,
        "update claims set expires_at = ? where name = ? and holder = ?",
        [time.time() + lease_seconds, name, holder],
    )
    return cur.rowcount > 0


def release(db: sqlite_utils.Database, name: str, holder: str) -> None:
    """Give up `holder`'s claim (nothing happens when it is someone else's)."""
    _immediate(db, "delete from claims where name = ? and holder = ?", [name, holder])


def holder_of(db: sqlite_utils.Database, name: str) -> str | None:
    """The live holder of claim `name`, or None."""
    row = db.execute("select holder, expires_at from claims where name = ?", [name]).fetchone()
    if row is None or row[1] <= time.time() or _dead(row[0]):
        return None
    return row[0]
