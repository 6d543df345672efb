"""Ordered schema migrations, each applied once and recorded in `_migrations`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import sqlite_utils

from storage.schema_early import EARLY_MIGRATIONS, overview_columns
from storage.schema_initial import m001_initial

MIGRATIONS: list[Callable[[sqlite_utils.Database], None]] = [m001_initial, *EARLY_MIGRATIONS]
migration = MIGRATIONS.append


@migration
def m010_interface_reports(db: sqlite_utils.Database) -> None:
    """The interface changes computed for each commit (stored even when empty, so they are computed once)."""
    db["interface_reports"].create(
        {"repo": str, "sha": str, "report": str, "computed_at": str},  # report: InterfaceReport JSON
        pk=("repo", "sha"),
    )


@migration
def m011_thread_questions(db: sqlite_utils.Database) -> None:
    """Questions asked of the bot in a thread (or by `/commit <sha> <question>`) and the answers given."""
    db["thread_questions"].create(
        {
            "channel": str,
            "thread_ts": str,  # the thread asked in (a command's own key for `/commit`)
            "question_ts": str,  # the asking message (or command), the same on every retry
            "user": str,
            "sha": str,  # the commit asked about; empty for a day's thread
            "question": str,
            "answer": str,  # null until answered
            "asked_at": str,
            "prompt_tokens": int,
            "completion_tokens": int,
        },
        pk=("channel", "question_ts"),
    )
    db["thread_questions"].create_index(["channel", "thread_ts"], index_name="idx_questions_thread")
    db["thread_questions"].create_index(["user", "asked_at"], index_name="idx_questions_user")


@migration
def m012_lineage(db: sqlite_utils.Database) -> None:
    """Reverts and fix-cause links between commits of one repository, readable in both directions."""
    db["lineage"].create(
        {
            "repo": str,
            "sha": str,  # the revert or the fix
            "kind": str,  # reverts | follows_up
            "target_sha": str,  # the commit it reverts or follows up
            "via": str,  # what resolved it: sha | pr | title
            "found_at": str,
        },
        pk=("repo", "sha", "kind", "target_sha"),
    )
    db["lineage"].create_index(["repo", "target_sha"], index_name="idx_lineage_target")
    db["commits"].create_index(["repo", "pr"], index_name="idx_commits_repo_pr")
    db["commits"].create_index(["repo", "title"], index_name="idx_commits_repo_title")


@migration
def m013_weekly_overviews(db: sqlite_utils.Database) -> None:
    """The week's overview per repository, recomputed only when the week's days and links change."""
    # week: ISO week, YYYY-Www; fingerprint: hash of the week's day overviews, cards and links; body: JSON of the
    # headline, themes, attention with outcomes, and counts
    db["weekly_overviews"].create(overview_columns("week"), pk=("repo", "week"))


@migration
def m014_team_indexes(db: sqlite_utils.Database) -> None:
    """The index of each team code base at a head, and the code base each channel checks against."""
    db["team_indexes"].create(
        {
            "name": str,  # the code base's name in DIGEST_TEAM_CODE
            "head": str,  # the commit the index was built from
            "packages": str,  # the upstream packages indexed, comma-separated, sorted
            "index_json": str,  # the serialised TeamIndex
            "built_at": str,
        },
        pk=("name", "head", "packages"),
    )
    db["channel_team_code"].create({"channel": str, "name": str, "set_at": str}, pk="channel")


def apply(db: sqlite_utils.Database) -> list[str]:
    """Apply the migrations not yet recorded; return the names applied.

    The whole check-and-apply holds the write lock, so processes opening a new database at once apply each
    migration once.
    """
    conn = db.conn
    if conn.in_transaction:
        conn.commit()
    conn.execute("BEGIN IMMEDIATE")
    try:
        table = db["_migrations"]
        if not table.exists():
            table.create({"name": str, "applied_at": str}, pk="name")
        done = {row["name"] for row in table.rows}
        applied = []
        for fn in MIGRATIONS:
            if fn.__name__ in done:
                continue
            fn(db)
            table.insert({"name": fn.__name__, "applied_at": dt.datetime.now(dt.UTC).isoformat()})
            applied.append(fn.__name__)
        conn.commit()
    except BaseException:
        conn.rollback()
        raise
    return applied


@migration
def m015_llm_answer_lengths(db: sqlite_utils.Database) -> None:
    """The longest usable card answer of each LLM endpoint and model, and each run's unusable answers."""
    db["llm_endpoints"].add_column("answer_tokens", int)
    db["runs"].add_column("unusable_answers", int)
