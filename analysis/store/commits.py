"""Commits and their file changes: the SQL of the `commits` and `files` tables, their rows, and typed access."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import sqlite_utils
from sqlite_utils.db import NotFoundError

from analysis.models import Commit, FileChange
from analysis.store.codec import Row, chunks, iso, parse_time
from storage.db import now


def _commit_row(c: Commit, detailed: bool) -> Row:
    return {
        "repo": c.repo,
        "sha": c.sha,
        "title": c.title,
        "message": c.message,
        "author_name": c.author_name,
        "author_email": c.author_email,
        "author_login": c.author_login,
        "committer_name": c.committer_name,
        "committed_at": iso(c.committed_at),
        "authored_at": iso(c.authored_at),
        "parents": json.dumps(c.parents),
        "url": c.url,
        "pr": c.pr,
        "additions": c.additions if detailed else None,
        "deletions": c.deletions if detailed else None,
        "files_count": (c.total_files or len(c.files)) if detailed else None,
        "files_truncated": int(c.files_truncated),
        "detailed": int(detailed),
        "fetched_at": now(),
    }


def _file_row(repo: str, sha: str, f: FileChange) -> Row:
    return {
        "repo": repo,
        "sha": sha,
        "path": f.path,
        "status": f.status,
        "additions": f.additions,
        "deletions": f.deletions,
        "previous_path": f.previous_path,
        "binary": int(f.binary),
        "patch": f.patch,
    }


def _file(f: Row) -> FileChange:
    return FileChange(
        path=f["path"],
        status=f["status"] or "modified",
        additions=f["additions"] or 0,
        deletions=f["deletions"] or 0,
        patch=f["patch"],
        previous_path=f["previous_path"],
        binary=bool(f["binary"]),
    )


def _commit_from(row: Row, files: list[Row] | None = None) -> Commit:
    c = Commit(
        repo=row["repo"],
        sha=row["sha"],
        message=row["message"] or row["title"] or "",
        author_name=row["author_name"] or "",
        author_email=row["author_email"] or "",
        author_login=row["author_login"],
        committer_name=row["committer_name"] or "",
        committed_at=parse_time(row["committed_at"]) or datetime.fromtimestamp(0, UTC),
        authored_at=parse_time(row["authored_at"]),
        parents=json.loads(row["parents"] or "[]"),
        url=row["url"],
        files_truncated=bool(row["files_truncated"]),
        total_files=row["files_count"],
    )
    c.files = [_file(f) for f in files or []]
    return c


def stored_commit(db: sqlite_utils.Database, repo: str, sha: str, *, detailed: bool = True) -> Commit | None:
    """The stored commit with its files; None when absent (or, with `detailed`, when its files were never read)."""
    try:
        row = db["commits"].get((repo, sha))
    except NotFoundError:
        return None
    if detailed and not row["detailed"]:
        return None
    files = None
    if row["detailed"]:
        files = list(db["files"].rows_where("repo = ? and sha = ?", [repo, sha], order_by="rowid"))
    return _commit_from(row, files)


def save_commit(db: sqlite_utils.Database, commit: Commit, *, detailed: bool) -> None:
    """Store a commit; with `detailed`, its file changes replace the stored ones (one transaction)."""
    with db.conn:
        db["commits"].upsert(_commit_row(commit, detailed), pk=("repo", "sha"))
        if detailed:
            db.execute("delete from files where repo = ? and sha = ?", [commit.repo, commit.sha])
            files = [_file_row(commit.repo, commit.sha, f) for f in commit.files]
            if files:
                db["files"].insert_all(files, pk=("repo", "sha", "path"), replace=True)


def clear_patches(db: sqlite_utils.Database, repo: str, sha: str) -> None:
    """Drop a commit's stored patches once it has been analyzed (the file stats stay)."""
    with db.conn:
        db.execute("update files set patch = null where repo = ? and sha = ?", [repo, sha])


def commit_keys_by_prefix(db: sqlite_utils.Database, prefix: str, limit: int = 20) -> list[tuple[str, str]]:
    """(repository, SHA) of the stored commits whose SHA starts with the hex `prefix`, by SHA (an index range scan)."""
    prefix = prefix.lower()
    if len(prefix) >= 40:
        where, args = "sha = ?", [prefix]
    else:
        where, args = "sha >= ? and sha < ?", [prefix, prefix[:-1] + chr(ord(prefix[-1]) + 1)]
    rows = db["commits"].rows_where(where, args, select="repo, sha", order_by="sha", limit=limit)
    return [(r["repo"], r["sha"]) for r in rows]


def stored_shas(db: sqlite_utils.Database, repo: str) -> set[str]:
    """Every stored commit of a repository."""
    return {r["sha"] for r in db["commits"].rows_where("repo = ?", [repo], select="sha")}


def set_fingerprints(db: sqlite_utils.Database, repo: str, prints: dict[str, str]) -> None:
    """Store the content fingerprints of stored commits."""
    with db.conn:
        db.conn.executemany(
            "update commits set fingerprint = ? where repo = ? and sha = ?",
            [(fp, repo, sha) for sha, fp in prints.items()],
        )


def fingerprint_of(db: sqlite_utils.Database, repo: str, sha: str) -> str | None:
    """A stored commit's content fingerprint, or None."""
    try:
        return db["commits"].get((repo, sha))["fingerprint"]
    except NotFoundError:
        return None


def reported_by_fingerprint(
    db: sqlite_utils.Database, repo: str, target: str, prints: list[str]
) -> dict[str, str]:
    """fingerprint -> SHA of a commit reported to `target` with that fingerprint (the earliest reported)."""
    out: dict[str, str] = {}
    for part, marks in chunks(prints):
        sql = (
            "select c.fingerprint, c.sha from commits c join reported r "
            "on r.repo = c.repo and r.sha = c.sha and r.target = ? "
            f"where c.repo = ? and c.fingerprint in ({marks}) order by r.reported_at"
        )
        for row in db.query(sql, [target, repo, *part]):
            out.setdefault(row["fingerprint"], row["sha"])
    return out


def shas_between(db: sqlite_utils.Database, repo: str, start: datetime, end: datetime) -> list[str]:
    """The stored commits of `repo` committed in [start, end), oldest first."""
    rows = db["commits"].rows_where(
        "repo = ? and committed_at >= ? and committed_at < ?",
        [repo, iso(start), iso(end)],
        select="sha",
        order_by="committed_at",
    )
    return [r["sha"] for r in rows]
