"""A digest target is a channel ID: rows once kept under a channel's name are moved to its ID (merged, the ID's kept)."""

from __future__ import annotations

import sqlite_utils

# (table, column): every row naming a digest target; `key` columns start with `<channel>:`
_CHANNEL_COLUMNS = (("subscriptions", "channel"), ("digests", "channel"), ("alerts", "channel"))
_TARGET_COLUMNS = (("cursors", "target"), ("reported", "target"), ("link_replies", "channel"))


def stored_channels(db: sqlite_utils.Database) -> set[str]:
    """Every channel a subscription, delivery or alert is kept under."""
    names: set[str] = set()
    for table, column in _CHANNEL_COLUMNS:
        if db[table].exists():
            names |= {r[0] for r in db.execute(f"select distinct {column} from {table}").fetchall() if r[0]}
    return names


def rekey_channel(db: sqlite_utils.Database, old: str, new: str) -> int:
    """Move every row kept under target `old` (a channel name) to `new` (its ID); return the rows moved.

    Where both have a row (the same repository, day or alert), the ID's row is kept and the name's dropped.
    """
    if old == new:
        return 0
    moved = 0
    with db.conn:
        for table, column in (*_CHANNEL_COLUMNS, *_TARGET_COLUMNS):
            if not db[table].exists():
                continue
            keyed = "key" in db[table].columns_dict
            sets = f"{column} = ?" + (", key = ? || substr(key, ?)" if keyed else "")
            args = [new, new, len(old) + 1] if keyed else [new]
            cur = db.conn.execute(f"update or ignore {table} set {sets} where {column} = ?", [*args, old])
            moved += cur.rowcount
            db.conn.execute(f"delete from {table} where {column} = ?", [old])
    return moved
