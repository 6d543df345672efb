"""The SQLite cache: schema, WAL, migrations, prefix lookups, cursors, digests."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

from analysis.models import Commit, FileChange
from analysis.state import Cursor, Delivery, DeliveryStatus
from analysis.store.commits import clear_patches, commit_keys_by_prefix, save_commit, stored_commit
from analysis.store.deliveries import get_delivery, save_delivery
from analysis.store.reported import get_cursor, set_cursor
from storage import migrations
from storage.db import StorageError, open_db


def _commit(sha: str, repo: str = "o/r", files: list[FileChange] | None = None) -> Commit:
    return Commit(
        repo, sha, f"commit {sha[:7]}", "", datetime(2026, 1, 24, 10, tzinfo=UTC), files=files or []
    )


def test_open_creates_wal_database_and_migrates_once(tmp_path):
    path = tmp_path / "sub" / "d.db"
    db = open_db(path)
    assert db.execute("pragma journal_mode").fetchone()[0] == "wal"
    assert {"commits", "files", "analyses", "cursors", "http_cache", "runs", "digests"} <= set(
        db.table_names()
    )
    names = [r["name"] for r in db["_migrations"].rows]
    assert names == [fn.__name__ for fn in migrations.MIGRATIONS]
    db.conn.close()
    again = open_db(path)
    assert [r["name"] for r in again["_migrations"].rows] == names
    assert migrations.apply(again) == []


def test_open_reports_unwritable_path(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    try:
        open_db(blocker / "d.db")
    except StorageError as e:
        assert "cannot open database" in str(e)
    else:
        raise AssertionError("expected StorageError")


def test_prefix_lookup_unique_ambiguous_unknown_and_full(tmp_path):
    db = open_db(tmp_path / "d.db")
    a = "abcdef1" + "0" * 33
    b = "abcdef1" + "f" * 33
    c = "abcdeff" + "1" * 33
    for sha in (a, b, c):
        save_commit(db, _commit(sha), detailed=False)
    assert {sha for _, sha in commit_keys_by_prefix(db, "abcdef1")} == {a, b}
    assert [sha for _, sha in commit_keys_by_prefix(db, "ABCDEF10")] == [a]
    assert [sha for _, sha in commit_keys_by_prefix(db, "abcdeff")] == [c]
    assert commit_keys_by_prefix(db, "1234567") == []
    assert [sha for _, sha in commit_keys_by_prefix(db, b)] == [b]


def test_prefix_lookup_uses_the_sha_index(tmp_path):
    db = open_db(tmp_path / "d.db")
    plan = db.execute(
        "explain query plan select * from commits where sha >= ? and sha < ?", ["abc", "abd"]
    ).fetchall()
    assert any("idx_commits_sha" in str(row) for row in plan)


def test_save_commit_replaces_files_in_one_transaction(tmp_path):
    db = open_db(tmp_path / "d.db")
    sha = "1" * 40
    files = [FileChange(f"f{i}.py", "modified", i, 0, patch="+x") for i in range(3)]
    save_commit(db, _commit(sha, files=files), detailed=True)
    save_commit(db, _commit(sha, files=files[:1]), detailed=True)
    assert [f.path for f in stored_commit(db, "o/r", sha).files] == ["f0.py"]
    clear_patches(db, "o/r", sha)
    assert stored_commit(db, "o/r", sha).files[0].patch is None


def test_cursor_per_repo_and_target(tmp_path):
    db = open_db(tmp_path / "d.db")
    set_cursor(db, Cursor("o/r", "terminal", "main", "a" * 40))
    set_cursor(db, Cursor("o/r", "C123", "main", "b" * 40))
    set_cursor(db, Cursor("o/r", "terminal", "main", "c" * 40))
    assert get_cursor(db, "o/r", "terminal").sha == "c" * 40
    assert get_cursor(db, "o/r", "C123").sha == "b" * 40
    assert get_cursor(db, "x/y", "terminal") is None


def test_digest_record_round_trip_keeps_created_at(tmp_path):
    db = open_db(tmp_path / "d.db")
    save_delivery(db, Delivery("C1", "2026-01-24", DeliveryStatus.POSTING))
    first = get_delivery(db, "C1", "2026-01-24")
    save_delivery(db, Delivery("C1", "2026-01-24", DeliveryStatus.POSTED, replies={"abc": "1.2"}))
    row = get_delivery(db, "C1", "2026-01-24")
    assert row.status == "posted" and row.replies == {"abc": "1.2"}
    assert row.created_at == first.created_at and row.channel == "C1"


def test_database_survives_concurrent_reader(tmp_path):
    path = tmp_path / "d.db"
    db = open_db(path)
    save_commit(db, _commit("2" * 40), detailed=False)
    reader = sqlite3.connect(path)
    assert reader.execute("select count(*) from commits").fetchone()[0] == 1
    save_commit(db, _commit("3" * 40), detailed=False)
    assert reader.execute("select count(*) from commits").fetchone()[0] == 2
