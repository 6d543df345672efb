"""Schema changes happen only through migrations, in order, each once."""

from __future__ import annotations

import json
import sqlite3

import pytest

from storage import migrations
from storage.db import open_db


def test_migrations_run_in_their_numbered_order_and_once(tmp_path):
    names = [fn.__name__ for fn in migrations.MIGRATIONS]
    assert names == sorted(names)
    db = open_db(tmp_path / "a.db")
    assert [r["name"] for r in db["_migrations"].rows] == names
    assert migrations.apply(db) == []


def test_writes_never_add_columns_outside_the_migrations(tmp_path):
    db = open_db(tmp_path / "a.db")
    with pytest.raises(sqlite3.OperationalError):
        # the stores upsert without `alter`: a column no migration made is an error, never a new column
        db["digests"].upsert(
            {"key": "C1:2026-01-24", "channel": "C1", "date": "2026-01-24", "surprise": 1}, pk="key"
        )


def test_delivery_parts_move_out_of_the_replies_of_an_older_database(tmp_path, monkeypatch):
    path = tmp_path / "old.db"
    monkeypatch.setattr(migrations, "MIGRATIONS", migrations.MIGRATIONS[:3])  # a database made before m004
    db = open_db(path)
    replies = {"part:1": "2.0", "part:0": "1.0", "part:10": "11.0", "abc": "3.0"}
    db["digests"].insert(
        {"key": "C1:2026-01-24", "channel": "C1", "date": "2026-01-24", "replies": json.dumps(replies)}
    )
    db.conn.close()
    monkeypatch.undo()
    row = next(iter(open_db(path)["digests"].rows))
    assert json.loads(row["parts"]) == ["1.0", "2.0", "11.0"]
    assert json.loads(row["replies"]) == {"abc": "3.0"}


def test_history_tables_join_a_database_made_before_them(tmp_path, monkeypatch):
    path = tmp_path / "old.db"
    monkeypatch.setattr(migrations, "MIGRATIONS", migrations.MIGRATIONS[:4])  # a database made before m005
    db = open_db(path)
    db["commits"].insert({"repo": "o/r", "sha": "a" * 40, "title": "t"})
    db.conn.close()
    monkeypatch.undo()
    db = open_db(path)
    assert "fingerprint" in db["commits"].columns_dict
    assert {"display", "followed"} <= set(db["repositories"].columns_dict)
    assert {"reported", "rewrites", "claims"} <= set(db.table_names())
    assert next(iter(db["commits"].rows))["fingerprint"] is None
