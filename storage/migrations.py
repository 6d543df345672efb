"""Ordered schema migrations, each applied once and recorded in `_migrations`."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable

import sqlite_utils

from storage.schema_initial import m001_initial

MIGRATIONS: list[Callable[[sqlite_utils.Database], None]] = [m001_initial]
migration = MIGRATIONS.append


@migration
def m002_alerts(db: sqlite_utils.Database) -> None:
    db["alerts"].create(
        {
            "key": str,  # channel:kind
            "channel": str,
            "kind": str,  # e.g. llm_auth, github_auth, post_failed
            "text": str,
            "message_ts": str,  # the alert message, once posted
            "status": str,  # active | resolved
            "created_at": str,
            "updated_at": str,
        },
        pk="key",
    )


@migration
def m003_subscriptions(db: sqlite_utils.Database) -> None:
    db["subscriptions"].create(
        {
            "channel": str,
            "repo": str,  # owner/repo, or a local clone's path
            "paths": str,  # JSON list of globs; empty: every path
            "min_importance": str,  # low | medium | high
            "exclude_authors": str,  # JSON list
            "exclude_titles": str,  # JSON list of title substrings
            "created_by": str,
            "created_at": str,
        },
        pk=("channel", "repo"),
    )


@migration
def m004_delivery_parts(db: sqlite_utils.Database) -> None:
    """Top-level digest parts get a column of their own instead of `part:<i>` keys among the replies."""
    db["digests"].add_column("parts", str)
    for row in list(db["digests"].rows):
        replies = json.loads(row["replies"] or "{}")
        parts = [replies.pop(k) for k in sorted((k for k in replies if k.startswith("part:")), key=_part_no)]
        db["digests"].update(row["key"], {"parts": json.dumps(parts), "replies": json.dumps(replies)})


@migration
def m005_overviews(db: sqlite_utils.Database) -> None:
    """The day's overview per repository, recomputed only when the day's analyses change."""
    db["overviews"].create(
        {
            "repo": str,
            "date": str,  # YYYY-MM-DD in the digest timezone
            "fingerprint": str,  # hash of the day's SHAs, statuses, models and prompt versions
            "source": str,  # llm | heuristic
            "language": str,
            "body": str,  # JSON: headline, themes, attention
            "model": str,
            "llm_calls": int,
            "prompt_tokens": int,
            "completion_tokens": int,
            "updated_at": str,
        },
        pk=("repo", "date"),
    )


@migration
def m006_events(db: sqlite_utils.Database) -> None:
    """Slack events already handled (a retry of one is ignored), and cards posted under shared links."""
    db["events"].create(
        {
            "event_id": str,  # Slack's event_id, the same on every retry of one event
            "kind": str,  # e.g. link_shared
            "received_at": str,
        },
        pk="event_id",
    )
    db["events"].create_index(["received_at"], index_name="idx_events_received")
    db["link_replies"].create(
        {
            "channel": str,
            "thread_ts": str,  # the message with the link (or its thread)
            "sha": str,
            "repo": str,
            "reply_ts": str,  # the full card posted in that thread
            "created_at": str,
        },
        pk=("channel", "thread_ts", "sha"),
    )


@migration
def m007_history(db: sqlite_utils.Database) -> None:
    """What each digest target was told, rewrites linked to what they replaced, and claims across processes."""
    db["commits"].add_column("fingerprint", str)  # content key that survives a rewrite (patch id, or diff)
    db["commits"].create_index(["repo", "fingerprint"], index_name="idx_commits_fingerprint")
    db["repositories"].add_column("display", str)  # the name shown: owner/repo, or a clone's folder name
    db["repositories"].add_column("followed", str)  # the ref a run read, e.g. origin/main
    db["reported"].create(
        {"repo": str, "target": str, "sha": str, "reported_at": str},
        pk=("repo", "target", "sha"),
    )
    db["rewrites"].create(
        {"repo": str, "sha": str, "original": str, "found_at": str},
        pk=("repo", "sha"),
    )
    db["claims"].create({"name": str, "holder": str, "expires_at": float}, pk="name")


@migration
def m008_llm_endpoints(db: sqlite_utils.Database) -> None:
    """What was learned about each LLM endpoint and model: output mode, context window, parallelism."""
    db["llm_endpoints"].create(
        {
            "endpoint": str,  # base URL without credentials or query
            "model": str,
            "mode": str,  # structured-output mode that worked: json_schema | json_object_schema | ...
            "context_tokens": int,  # the context window the endpoint reported
            "token_ratio": float,  # the endpoint's token count over the project's estimate (>= 1)
            "concurrency": int,  # requests the endpoint runs at once, as measured
            "updated_at": str,
        },
        pk=("endpoint", "model"),
    )


def _canonical_repo(name: str) -> str:
    """A GitHub name as its one identity (lower case, no `.git`, no trailing slash); a clone path unchanged."""
    if name.startswith(("/", ".", "~")):
        return name
    name = name.strip().rstrip("/")
    if name.lower().endswith(".git"):
        name = name[:-4].rstrip("/")
    return name.lower()


@migration
def m009_one_name_per_repo(db: sqlite_utils.Database) -> None:
    """Merge the rows of GitHub repositories stored under names differing only by letter case or `.git`.

    In each table the earliest row of each key is kept; later duplicates (commits, analyses, reported sets) go.
    """
    for table in db.tables:
        if "repo" not in table.columns_dict:
            continue
        names = [r[0] for r in db.execute(f"SELECT DISTINCT repo FROM [{table.name}] WHERE repo IS NOT NULL")]
        groups: dict[str, list[str]] = {}
        for name in names:
            groups.setdefault(_canonical_repo(name), []).append(name)
        pks = table.pks
        for canonical, members in groups.items():
            if members == [canonical]:
                continue
            marks = ",".join("?" * len(members))
            if pks != ["rowid"] and "repo" in pks:
                cols = ", ".join(f"[{c}]" for c in pks if c != "repo")
                seen: set[tuple] = set()
                doomed = []
                sql = f"SELECT rowid{', ' + cols if cols else ''} FROM [{table.name}] WHERE repo IN ({marks}) ORDER BY rowid"
                for row in db.execute(sql, members):
                    if row[1:] in seen:
                        doomed.append(row[0])
                    seen.add(row[1:])
                for rowid in doomed:
                    db.execute(f"DELETE FROM [{table.name}] WHERE rowid = ?", [rowid])
            db.execute(f"UPDATE [{table.name}] SET repo = ? WHERE repo IN ({marks})", [canonical, *members])


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
    db["weekly_overviews"].create(
        {
            "repo": str,
            "week": str,  # ISO week, YYYY-Www
            "fingerprint": str,  # hash of the week's day overviews, cards and links
            "source": str,  # llm | heuristic
            "language": str,
            "body": str,  # JSON: headline, themes, attention with outcomes, counts
            "model": str,
            "llm_calls": int,
            "prompt_tokens": int,
            "completion_tokens": int,
            "updated_at": str,
        },
        pk=("repo", "week"),
    )


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


def _part_no(key: str) -> int:
    return int(key.split(":", 1)[1])


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
