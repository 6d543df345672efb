"""Checks of an opened database: SQLite's own integrity check, and the schema against what migrations create."""

from __future__ import annotations

import sqlite3
from functools import lru_cache

import sqlite_utils

from storage import migrations

Schema = dict[str, tuple[frozenset[str], tuple[str, ...]]]  # table -> (columns, primary key in order)
MAX_PROBLEMS = 3


def quick_check(conn: sqlite3.Connection) -> str | None:
    """What `PRAGMA quick_check` found wrong (its first lines, joined), or None when the file is sound."""
    rows = [r[0] for r in conn.execute(f"PRAGMA quick_check({MAX_PROBLEMS})").fetchall()]
    if rows == ["ok"]:
        return None
    return "; ".join(str(r) for r in rows)


def schema_of(conn: sqlite3.Connection, tables: list[str] | None = None) -> Schema:
    """Every table's columns and primary key, as SQLite reports them."""
    names = tables or [
        r[0]
        for r in conn.execute(
            "select name from sqlite_master where type = 'table' and name not like 'sqlite_%'"
        )
    ]
    out: Schema = {}
    for name in names:
        info = conn.execute(
            f"PRAGMA table_info([{name}])"
        ).fetchall()  # cid, name, type, notnull, default, pk
        if not info:
            continue
        pk = tuple(c[1] for c in sorted((c for c in info if c[5]), key=lambda c: c[5]))
        out[name] = (frozenset(c[1] for c in info), pk)
    return out


@lru_cache(maxsize=8)
def _expected(names: tuple[str, ...]) -> Schema:
    conn = sqlite3.connect(":memory:")
    try:
        db = sqlite_utils.Database(conn)
        by_name = {fn.__name__: fn for fn in migrations.MIGRATIONS}
        for name in names:
            by_name[name](db)
        return schema_of(conn)
    finally:
        conn.close()


def expected_schema(applied: list[str]) -> Schema:
    """The tables, columns and keys the given migrations create, in their order."""
    known = [fn.__name__ for fn in migrations.MIGRATIONS if fn.__name__ in set(applied)]
    return _expected(tuple(known))


def schema_drift(conn: sqlite3.Connection, applied: list[str]) -> str | None:
    """How the tables differ from what the applied migrations create (missing tables, columns or keys), or None."""
    expected = expected_schema(applied)
    found = schema_of(conn, list(expected))
    problems = []
    for table, (columns, pk) in expected.items():
        if table not in found:
            problems.append(f"table {table} is missing")
            continue
        have_cols, have_pk = found[table]
        missing = sorted(columns - have_cols)
        if missing:
            problems.append(f"table {table} lacks column(s) {', '.join(missing)}")
        if have_pk != pk:
            problems.append(f"table {table} has key ({', '.join(have_pk)}) instead of ({', '.join(pk)})")
    return "; ".join(problems[:MAX_PROBLEMS]) or None


def applied_migrations(conn: sqlite3.Connection) -> list[str]:
    """The names recorded in `_migrations` (none when the table does not exist yet)."""
    if not conn.execute(
        "select 1 from sqlite_master where type = 'table' and name = '_migrations'"
    ).fetchone():
        return []
    return [r[0] for r in conn.execute("select name from _migrations")]
