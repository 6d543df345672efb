"""The schema migrations from the alerts table to one name per repository (m002-m009), applied in order after m001."""

from __future__ import annotations

import json

import sqlite_utils


def overview_columns(period: str) -> dict[str, type]:
    """The columns of an overview table (a day's or a week's): `period` names the column of the day or week."""
    return {
        "repo": str,
        period: str,
        "fingerprint": str,  # what the overview was made from; recomputed when it changes
        "source": str,  # llm | heuristic
        "language": str,
        "body": str,  # JSON of the overview
        "model": str,
        "llm_calls": int,
        "prompt_tokens": int,
        "completion_tokens": int,
        "updated_at": str,
    }


def m002_alerts(db: sqlite_utils.Database) -> None:
    """Alerts shown to a channel (a failing key, a failed post), each resolved once the cause is gone."""
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


def m003_subscriptions(db: sqlite_utils.Database) -> None:
    """Which repositories each channel follows, with its path, importance, author and title filters."""
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


def m004_delivery_parts(db: sqlite_utils.Database) -> None:
    """Top-level digest parts get a column of their own instead of `part:<i>` keys among the replies."""
    db["digests"].add_column("parts", str)
    for row in list(db["digests"].rows):
        replies = json.loads(row["replies"] or "{}")
        parts = [replies.pop(k) for k in sorted((k for k in replies if k.startswith("part:")), key=_part_no)]
        db["digests"].update(row["key"], {"parts": json.dumps(parts), "replies": json.dumps(replies)})


def m005_overviews(db: sqlite_utils.Database) -> None:
    """The day's overview per repository, recomputed only when the day's analyses change."""
    # date: YYYY-MM-DD in the digest timezone; fingerprint: hash of the day's SHAs, statuses, models and prompt
    # versions; body: JSON of the headline, themes and attention items
    db["overviews"].create(overview_columns("date"), pk=("repo", "date"))


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


def _part_no(key: str) -> int:
    return int(key.split(":", 1)[1])


EARLY_MIGRATIONS = [
    m002_alerts,
    m003_subscriptions,
    m004_delivery_parts,
    m005_overviews,
    m006_events,
    m007_history,
    m008_llm_endpoints,
    m009_one_name_per_repo,
]
