"""The SQLite cache: schema, WAL, migrations, prefix lookups, cursors, digests."""

from __future__ import annotations

import sqlite3

from storage import migrations
from storage.commits import clear_patches, find_by_prefix, get_files, save_commit
from storage.db import StorageError, open_db
from storage.deliveries import get_digest, save_digest
from storage.repositories import get_cursor, set_cursor


def _commit(sha: str, repo: str = "o/r", **kw) -> dict:
    return {
        "repo": repo,
        "sha": sha,
        "title": f"commit {sha[:7]}",
        "committed_at": "2026-01-24T10:00:00+00:00",
        **kw,
    }


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
        save_commit(db, _commit(sha))
    assert {r["sha"] for r in find_by_prefix(db, "abcdef1")} == {a, b}
    assert [r["sha"] for r in find_by_prefix(db, "ABCDEF10")] == [a]
    assert [r["sha"] for r in find_by_prefix(db, "abcdeff")] == [c]
    assert find_by_prefix(db, "1234567") == []
    assert [r["sha"] for r in find_by_prefix(db, b)] == [b]


def test_prefix_lookup_uses_the_sha_index(tmp_path):
    db = open_db(tmp_path / "d.db")
    plan = db.execute(
        "explain query plan select * from commits where sha >= ? and sha < ?", ["abc", "abd"]
    ).fetchall()
    assert any("idx_commits_sha" in str(row) for row in plan)


def test_save_commit_replaces_files_in_one_transaction(tmp_path):
    db = open_db(tmp_path / "d.db")
    sha = "1" * 40
    files = [{"repo": "o/r", "sha": sha, "path": f"f{i}.py", "additions": i, "patch": "+x"} for i in range(3)]
    save_commit(db, _commit(sha), files)
    save_commit(db, _commit(sha), files[:1])
    assert [f["path"] for f in get_files(db, "o/r", sha)] == ["f0.py"]
    clear_patches(db, "o/r", sha)
    assert get_files(db, "o/r", sha)[0]["patch"] is None


def test_cursor_per_repo_and_target(tmp_path):
    db = open_db(tmp_path / "d.db")
    set_cursor(db, "o/r", "terminal", "main", "a" * 40)
    set_cursor(db, "o/r", "C123", "main", "b" * 40)
    set_cursor(db, "o/r", "terminal", "main", "c" * 40)
    assert get_cursor(db, "o/r", "terminal")["sha"] == "c" * 40
    assert get_cursor(db, "o/r", "C123")["sha"] == "b" * 40
    assert get_cursor(db, "x/y", "terminal") is None


def test_digest_record_round_trip_keeps_created_at(tmp_path):
    db = open_db(tmp_path / "d.db")
    save_digest(db, {"key": "C1:2026-01-24", "channel": "C1", "date": "2026-01-24", "status": "posting"})
    first = get_digest(db, "C1:2026-01-24")
    save_digest(db, {"key": "C1:2026-01-24", "status": "posted", "replies": {"abc": "1.2"}})
    row = get_digest(db, "C1:2026-01-24")
    assert row["status"] == "posted" and row["replies"] == {"abc": "1.2"}
    assert row["created_at"] == first["created_at"] and row["channel"] == "C1"


def test_database_survives_concurrent_reader(tmp_path):
    path = tmp_path / "d.db"
    db = open_db(path)
    save_commit(db, _commit("2" * 40))
    reader = sqlite3.connect(path)
    assert reader.execute("select count(*) from commits").fetchone()[0] == 1
    save_commit(db, _commit("3" * 40))
    assert reader.execute("select count(*) from commits").fetchone()[0] == 2
