"""Open the SQLite cache and the queries the rest of the code needs; rows in, rows out."""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
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


def open_db(path: str | os.PathLike[str]) -> sqlite_utils.Database:
    """Open (creating if needed) the database at `path`, in WAL mode, migrated."""
    p = Path(path)
    try:
        if str(path) != ":memory:":
            p.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(str(path), timeout=30, check_same_thread=False)
        db = sqlite_utils.Database(conn)
        if str(path) != ":memory:":
            db.enable_wal()
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute("PRAGMA busy_timeout=30000")
        migrations.apply(db)
    except (sqlite3.Error, OSError) as e:
        raise StorageError(f"cannot open database {path}: {e}") from e
    return db


def _one(db: sqlite_utils.Database, sql: str, params: Iterable[Any] = ()) -> Row | None:
    cur = db.execute(sql, list(params))
    row = cur.fetchone()
    if row is None:
        return None
    return dict(zip([c[0] for c in cur.description], row, strict=True))


def _all(db: sqlite_utils.Database, sql: str, params: Iterable[Any] = ()) -> list[Row]:
    cur = db.execute(sql, list(params))
    cols = [c[0] for c in cur.description]
    return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]


def _by_sha(db: sqlite_utils.Database, table: str, repo: str, shas: list[str]) -> dict[str, Row]:
    out: dict[str, Row] = {}
    for i in range(0, len(shas), 500):
        chunk = shas[i : i + 500]
        marks = ",".join("?" * len(chunk))
        for row in _all(db, f"select * from {table} where repo = ? and sha in ({marks})", [repo, *chunk]):
            out[row["sha"]] = row
    return out


# repositories ---------------------------------------------------------------------------------


def upsert_repository(db: sqlite_utils.Database, row: Row) -> None:
    """Insert or update a repository row (keyed by `repo`)."""
    db["repositories"].upsert(row, pk="repo", alter=True)


def get_repository(db: sqlite_utils.Database, repo: str) -> Row | None:
    """One repository row, or None."""
    return _one(db, "select * from repositories where repo = ?", [repo])


def list_repositories(db: sqlite_utils.Database) -> list[Row]:
    """Every repository row, by name."""
    return _all(db, "select * from repositories order by repo")


# commits and files ----------------------------------------------------------------------------


def save_commit(db: sqlite_utils.Database, commit: Row, files: list[Row] | None = None) -> None:
    """Store a commit row and, when given, replace its file rows, in one transaction."""
    with db.conn:
        db["commits"].upsert(commit, pk=("repo", "sha"), alter=True)
        if files is not None:
            db.execute("delete from files where repo = ? and sha = ?", [commit["repo"], commit["sha"]])
            if files:
                db["files"].insert_all(files, pk=("repo", "sha", "path"), replace=True)


def get_commit(db: sqlite_utils.Database, repo: str, sha: str) -> Row | None:
    """One commit row, or None."""
    return _one(db, "select * from commits where repo = ? and sha = ?", [repo, sha])


def get_commits(db: sqlite_utils.Database, repo: str, shas: list[str]) -> dict[str, Row]:
    """Commit rows by SHA for the given SHAs that are stored."""
    return _by_sha(db, "commits", repo, shas)


def get_files(db: sqlite_utils.Database, repo: str, sha: str) -> list[Row]:
    """The file rows of one commit, by path."""
    return _all(db, "select * from files where repo = ? and sha = ? order by rowid", [repo, sha])


def clear_patches(db: sqlite_utils.Database, repo: str, sha: str) -> None:
    """Drop the stored patches of a commit once it has been analyzed (stats stay)."""
    with db.conn:
        db.execute("update files set patch = null where repo = ? and sha = ?", [repo, sha])


def commits_between(db: sqlite_utils.Database, repo: str, start_utc: str, end_utc: str) -> list[Row]:
    """Commits of a repository with `start_utc <= committed_at < end_utc`, newest first."""
    return _all(
        db,
        "select * from commits where repo = ? and committed_at >= ? and committed_at < ? "
        "order by committed_at desc",
        [repo, start_utc, end_utc],
    )


def find_by_prefix(db: sqlite_utils.Database, prefix: str, limit: int = 20) -> list[Row]:
    """Commits whose SHA starts with the lower-case hex `prefix` (an index range scan)."""
    prefix = prefix.lower()
    if len(prefix) >= 40:
        return _all(db, "select * from commits where sha = ? limit ?", [prefix, limit])
    upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    return _all(
        db,
        "select * from commits where sha >= ? and sha < ? order by sha limit ?",
        [prefix, upper, limit],
    )


# analyses -------------------------------------------------------------------------------------


def save_analysis(db: sqlite_utils.Database, row: Row) -> None:
    """Insert or replace the analysis of (repo, sha)."""
    row = {**row, "updated_at": now()}
    with db.conn:
        db["analyses"].upsert(row, pk=("repo", "sha"), alter=True)


def get_analysis(db: sqlite_utils.Database, repo: str, sha: str) -> Row | None:
    """The analysis row of one commit, or None."""
    return _one(db, "select * from analyses where repo = ? and sha = ?", [repo, sha])


def get_analyses(db: sqlite_utils.Database, repo: str, shas: list[str]) -> dict[str, Row]:
    """Analysis rows by SHA for the given SHAs that have one."""
    return _by_sha(db, "analyses", repo, shas)


def analysis_counts(db: sqlite_utils.Database, repo: str | None = None) -> dict[str, int]:
    """How many analyses are in each status, for one repository or all."""
    sql = "select status, count(*) as n from analyses"
    params: list[Any] = []
    if repo:
        sql += " where repo = ?"
        params.append(repo)
    return {r["status"]: r["n"] for r in _all(db, sql + " group by status", params)}


def unfinished_analyses(db: sqlite_utils.Database, repo: str, max_attempts: int) -> list[Row]:
    """Pending or failed analyses of a repository still under the attempt cap."""
    return _all(
        db,
        "select * from analyses where repo = ? and status in ('pending', 'failed') and attempts < ?",
        [repo, max_attempts],
    )


# cursors and HTTP cache -----------------------------------------------------------------------


def get_cursor(db: sqlite_utils.Database, repo: str, target: str) -> Row | None:
    """The last digested head of `repo` for a digest target (a channel, or 'terminal')."""
    return _one(db, "select * from cursors where repo = ? and target = ?", [repo, target])


def set_cursor(db: sqlite_utils.Database, repo: str, target: str, branch: str, sha: str) -> None:
    """Record `sha` as the last digested head of `repo` for `target`."""
    with db.conn:
        db["cursors"].upsert(
            {"repo": repo, "target": target, "branch": branch, "sha": sha, "updated_at": now()},
            pk=("repo", "target"),
        )


def get_http_cache(db: sqlite_utils.Database, url: str) -> Row | None:
    """The stored ETag and body of a GET, or None."""
    return _one(db, "select * from http_cache where url = ?", [url])


def set_http_cache(db: sqlite_utils.Database, url: str, etag: str, body: str) -> None:
    """Store the ETag and body of a GET for conditional requests."""
    with db.conn:
        db["http_cache"].upsert({"url": url, "etag": etag, "body": body, "updated_at": now()}, pk="url")


# runs and digests -----------------------------------------------------------------------------


def record_run(db: sqlite_utils.Database, row: Row) -> int:
    """Store a finished run; return its id."""
    with db.conn:
        return db["runs"].insert(row, alter=True).last_pk


def last_run(db: sqlite_utils.Database, repo: str) -> Row | None:
    """The most recent run of a repository, or None."""
    return _one(db, "select * from runs where repo = ? order by id desc limit 1", [repo])


def get_digest(db: sqlite_utils.Database, key: str) -> Row | None:
    """A digest delivery record (`channel:date`), or None."""
    row = _one(db, "select * from digests where key = ?", [key])
    if row:
        for k in ("replies", "repos", "shas"):
            row[k] = json.loads(row[k]) if row.get(k) else ({} if k == "replies" else [])
    return row


def save_digest(db: sqlite_utils.Database, row: Row) -> None:
    """Insert or update a digest delivery record; JSON-encodes list and map fields."""
    row = dict(row)
    for k in ("replies", "repos", "shas"):
        if k in row and not isinstance(row[k], str | type(None)):
            row[k] = json.dumps(row[k])
    row["updated_at"] = now()
    if not _one(db, "select key from digests where key = ?", [row["key"]]):
        row.setdefault("created_at", row["updated_at"])
    with db.conn:
        db["digests"].upsert(row, pk="key", alter=True)


# subscriptions --------------------------------------------------------------------------------


def save_subscription(db: sqlite_utils.Database, row: Row) -> None:
    """Insert or replace a channel's subscription to a repository (keyed by channel and repo)."""
    row = {k: json.dumps(v) if isinstance(v, list) else v for k, v in row.items()}
    row.setdefault("created_at", now())
    with db.conn:
        db["subscriptions"].upsert(row, pk=("channel", "repo"), alter=True)


def delete_subscription(db: sqlite_utils.Database, channel: str, repo: str) -> bool:
    """Remove a channel's subscription; True when there was one."""
    with db.conn:
        cur = db.execute("delete from subscriptions where channel = ? and repo = ?", [channel, repo])
    return cur.rowcount > 0


def list_subscriptions(db: sqlite_utils.Database, channel: str | None = None) -> list[Row]:
    """Subscriptions of one channel, or of all channels, by channel and repo; JSON fields decoded."""
    sql = "select * from subscriptions"
    params: list[Any] = []
    if channel:
        sql += " where channel = ?"
        params.append(channel)
    rows = _all(db, sql + " order by channel, repo", params)
    for r in rows:
        for k in ("paths", "exclude_authors", "exclude_titles"):
            r[k] = json.loads(r[k]) if r.get(k) else []
    return rows


def latest_digest(db: sqlite_utils.Database, channel: str) -> Row | None:
    """The digest delivery record of a channel with the latest date, or None."""
    row = _one(
        db, "select key from digests where channel = ? order by date desc, created_at desc limit 1", [channel]
    )
    return get_digest(db, row["key"]) if row else None


def digest_by_message(db: sqlite_utils.Database, channel: str, message_ts: str) -> Row | None:
    """The digest delivery record one of whose messages (parent or later part) is `message_ts`, or None."""
    row = _one(db, "select key from digests where channel = ? and message_ts = ?", [channel, message_ts])
    if row is None:  # a later part of a digest split across several messages
        for cand in _all(
            db, "select key from digests where channel = ? and replies like ?", [channel, f'%"{message_ts}"%']
        ):
            rec = get_digest(db, cand["key"])
            if rec and any(k.startswith("part:") and v == message_ts for k, v in rec["replies"].items()):
                return rec
    return get_digest(db, row["key"]) if row else None


def usage_since(db: sqlite_utils.Database, since_utc: str) -> Row:
    """Runs, LLM calls and tokens summed over runs started at or after `since_utc`."""
    return (
        _one(
            db,
            "select count(*) as runs, coalesce(sum(llm_calls), 0) as llm_calls, "
            "coalesce(sum(prompt_tokens), 0) as prompt_tokens, "
            "coalesce(sum(completion_tokens), 0) as completion_tokens, "
            "coalesce(sum(status = 'error'), 0) as errors from runs where started_at >= ?",
            [since_utc],
        )
        or {}
    )


def list_cursors(db: sqlite_utils.Database, repo: str) -> list[Row]:
    """Every digest target's cursor for a repository."""
    return _all(db, "select * from cursors where repo = ? order by target", [repo])


def usage_totals(db: sqlite_utils.Database) -> Row:
    """LLM calls and tokens summed over all recorded runs."""
    row = _one(
        db,
        "select coalesce(sum(llm_calls), 0) as llm_calls, coalesce(sum(prompt_tokens), 0) as prompt_tokens, "
        "coalesce(sum(completion_tokens), 0) as completion_tokens from runs",
    )
    assert row is not None
    return row


# alerts ---------------------------------------------------------------------------------------


def get_alert(db: sqlite_utils.Database, channel: str, kind: str) -> Row | None:
    """The alert of one kind in one channel, active or resolved, or None."""
    return _one(db, "select * from alerts where key = ?", [f"{channel}:{kind}"])


def save_alert(db: sqlite_utils.Database, row: Row) -> None:
    """Insert or update an alert (keyed by `channel:kind`)."""
    row = {**row, "key": f"{row['channel']}:{row['kind']}", "updated_at": now()}
    if not _one(db, "select key from alerts where key = ?", [row["key"]]):
        row.setdefault("created_at", row["updated_at"])
    with db.conn:
        db["alerts"].upsert(row, pk="key", alter=True)


def active_alerts(db: sqlite_utils.Database, channel: str | None = None) -> list[Row]:
    """Active alerts, for one channel or all, oldest first."""
    sql = "select * from alerts where status = 'active'"
    params: list[Any] = []
    if channel:
        sql += " and channel = ?"
        params.append(channel)
    return _all(db, sql + " order by created_at, key", params)
