"""What each digest target has been told about a repository, and rewritten commits linked to their originals."""

from __future__ import annotations

import sqlite_utils

from storage.db import Row, all_rows, now, one

_CHUNK = 500


def mark_reported(db: sqlite_utils.Database, repo: str, target: str, shas: list[str]) -> None:
    """Record that `target` has been told about these commits."""
    stamp = now()
    with db.conn:
        db.conn.executemany(
            "insert or ignore into reported (repo, target, sha, reported_at) values (?, ?, ?, ?)",
            [(repo, target, sha, stamp) for sha in shas],
        )


def reported_shas(db: sqlite_utils.Database, repo: str, target: str) -> set[str]:
    """Every commit of `repo` that `target` has been told about."""
    rows = db.execute("select sha from reported where repo = ? and target = ?", [repo, target]).fetchall()
    return {r[0] for r in rows}


def stored_shas(db: sqlite_utils.Database, repo: str) -> set[str]:
    """Every stored commit of `repo`."""
    return {r[0] for r in db.execute("select sha from commits where repo = ?", [repo]).fetchall()}


def set_fingerprints(db: sqlite_utils.Database, repo: str, prints: dict[str, str]) -> None:
    """Store the content fingerprint of stored commits."""
    with db.conn:
        db.conn.executemany(
            "update commits set fingerprint = ? where repo = ? and sha = ?",
            [(fp, repo, sha) for sha, fp in prints.items()],
        )


def fingerprints(db: sqlite_utils.Database, repo: str, shas: list[str]) -> dict[str, str]:
    """The stored fingerprints of the given commits, by SHA (those without one are left out)."""
    out: dict[str, str] = {}
    for i in range(0, len(shas), _CHUNK):
        chunk = shas[i : i + _CHUNK]
        marks = ",".join("?" * len(chunk))
        sql = f"select sha, fingerprint from commits where repo = ? and sha in ({marks}) and fingerprint is not null"
        out.update({r["sha"]: r["fingerprint"] for r in all_rows(db, sql, [repo, *chunk])})
    return out


def reported_by_fingerprint(
    db: sqlite_utils.Database, repo: str, target: str, prints: list[str]
) -> dict[str, str]:
    """fingerprint -> SHA of a commit reported to `target` with that fingerprint."""
    out: dict[str, str] = {}
    for i in range(0, len(prints), _CHUNK):
        chunk = prints[i : i + _CHUNK]
        marks = ",".join("?" * len(chunk))
        sql = (
            "select c.fingerprint, c.sha from commits c join reported r "
            "on r.repo = c.repo and r.sha = c.sha and r.target = ? "
            f"where c.repo = ? and c.fingerprint in ({marks}) order by r.reported_at"
        )
        for row in all_rows(db, sql, [target, repo, *chunk]):
            out.setdefault(row["fingerprint"], row["sha"])
    return out


def finished_analysis_by_fingerprint(
    db: sqlite_utils.Database, repo: str, fingerprint: str, sha: str
) -> Row | None:
    """A finished analysis of another commit of `repo` with this fingerprint, or None."""
    return one(
        db,
        "select a.* from analyses a join commits c on c.repo = a.repo and c.sha = a.sha "
        "where c.repo = ? and c.fingerprint = ? and c.sha != ? and a.status in ('done', 'heuristic') "
        "order by a.updated_at desc limit 1",
        [repo, fingerprint, sha],
    )


def link_rewrite(db: sqlite_utils.Database, repo: str, sha: str, original: str) -> None:
    """Record that commit `sha` is a rewritten copy of `original`."""
    with db.conn:
        db["rewrites"].upsert(
            {"repo": repo, "sha": sha, "original": original, "found_at": now()}, pk=("repo", "sha")
        )


def rewrite_of(db: sqlite_utils.Database, repo: str, sha: str) -> str | None:
    """The original a rewritten commit replaced, or None."""
    row = one(db, "select original from rewrites where repo = ? and sha = ?", [repo, sha])
    return row["original"] if row else None


_KEYED = ("commits", "files", "analyses", "cursors", "runs", "reported", "rewrites")


def rename_repository(db: sqlite_utils.Database, old: str, new: str) -> bool:
    """Move every row stored under `old` to `new` (a clone known by folder name gets its path); False if none."""
    if one(db, "select repo from repositories where repo = ?", [old]) is None:
        return False
    with db.conn:
        for table in _KEYED:
            db.execute(f"update or ignore {table} set repo = ? where repo = ?", [new, old])
            db.execute(f"delete from {table} where repo = ?", [old])
        db.execute("update or ignore repositories set repo = ? where repo = ?", [new, old])
        db.execute("delete from repositories where repo = ?", [old])
    return True
