"""The first schema migration: the tables every later migration builds on."""

from __future__ import annotations

import sqlite_utils


def m001_initial(db: sqlite_utils.Database) -> None:
    """Create the first tables: repositories, commits, files, analyses, cursors, http_cache, runs, digests."""
    db["repositories"].create(
        {
            "repo": str,
            "kind": str,  # github | git
            "location": str,  # API URL or local path
            "default_branch": str,
            "last_run_at": str,
            "last_run_status": str,
            "last_error": str,
            "rate_limit_remaining": int,
            "rate_limit_reset": int,
        },
        pk="repo",
    )
    db["commits"].create(
        {
            "repo": str,
            "sha": str,
            "title": str,
            "message": str,
            "author_name": str,
            "author_email": str,
            "author_login": str,
            "committer_name": str,
            "committed_at": str,  # ISO 8601, UTC
            "authored_at": str,
            "parents": str,  # JSON list
            "url": str,
            "pr": int,
            "additions": int,
            "deletions": int,
            "files_count": int,
            "files_truncated": int,
            "detailed": int,  # 1 once files were fetched
            "fetched_at": str,
        },
        pk=("repo", "sha"),
    )
    # Prefix lookups are range scans on this index: sha >= 'abc1234' AND sha < 'abc1235'.
    db["commits"].create_index(["sha"], index_name="idx_commits_sha")
    db["commits"].create_index(["repo", "committed_at"], index_name="idx_commits_repo_time")
    db["files"].create(
        {
            "repo": str,
            "sha": str,
            "path": str,
            "status": str,
            "additions": int,
            "deletions": int,
            "previous_path": str,
            "binary": int,
            "patch": str,  # cleared once the commit is analyzed
        },
        pk=("repo", "sha", "path"),
    )
    db["analyses"].create(
        {
            "repo": str,
            "sha": str,
            "status": str,  # done | heuristic | failed | pending
            "scored": str,  # the deterministic scorer's tier
            "importance": str,  # the final tier (card's when there is a card)
            "reasons": str,  # JSON list
            "card": str,  # JSON
            "model": str,
            "prompt_version": str,
            "language": str,
            "prompt_tokens": int,
            "completion_tokens": int,
            "llm_calls": int,
            "latency_ms": int,
            "attempts": int,
            "error": str,
            "updated_at": str,
        },
        pk=("repo", "sha"),
    )
    db["analyses"].create_index(["status"], index_name="idx_analyses_status")
    db["cursors"].create(
        {"repo": str, "target": str, "branch": str, "sha": str, "updated_at": str},
        pk=("repo", "target"),
    )
    db["http_cache"].create({"url": str, "etag": str, "body": str, "updated_at": str}, pk="url")
    db["runs"].create(
        {
            "id": int,
            "repo": str,
            "started_at": str,
            "finished_at": str,
            "status": str,  # ok | error
            "mode": str,  # date | cursor
            "window": str,
            "commits": int,
            "fetched": int,
            "requests": int,
            "llm_calls": int,
            "prompt_tokens": int,
            "completion_tokens": int,
            "error": str,
        },
        pk="id",
    )
    db["digests"].create(
        {
            "key": str,  # channel:date
            "channel": str,
            "date": str,
            "status": str,  # posting | posted | failed
            "message_ts": str,
            "replies": str,  # JSON map sha -> reply ts
            "repos": str,  # JSON list
            "shas": str,  # JSON list of the commits the digest covers
            "created_at": str,
            "updated_at": str,
            "error": str,
        },
        pk="key",
    )
