"""Typed access to what `storage` keeps: every read returns a model, every write takes one."""

from __future__ import annotations

import sqlite_utils

from analysis import rows
from analysis.bounds import bound_card
from analysis.models import Analysis, Commit, DigestEntry
from analysis.redact import redact
from analysis.state import (
    Alert,
    AlertStatus,
    Cursor,
    Delivery,
    RepositoryState,
    RunRecord,
    Subscription,
    UsageTotals,
)
from storage import (
    analyses,
    claims,
    commits,
    deliveries,
    events,
    history,
    http_cache,
    repositories,
    runs,
    subscriptions,
)
from storage.db import Row, now


def _redacted(row: Row, *columns: str) -> Row:
    """`row` with the named text columns redacted: no credential is ever stored."""
    for col in columns:
        if row.get(col):
            row[col] = redact(row[col])
    return row


def stored_commit(db: sqlite_utils.Database, repo: str, sha: str, *, detailed: bool = True) -> Commit | None:
    """The stored commit with its files; None when absent (or, with `detailed`, when its files were never read)."""
    row = commits.get_commit(db, repo, sha)
    if row is None or (detailed and not row["detailed"]):
        return None
    files = commits.get_files(db, repo, sha) if row["detailed"] else None
    return rows.commit_from_rows(row, files)


def save_commit(db: sqlite_utils.Database, commit: Commit, *, detailed: bool) -> None:
    """Store a commit; with `detailed`, its file changes replace the stored ones."""
    files = [rows.file_to_row(commit.repo, commit.sha, f) for f in commit.files] if detailed else None
    commits.save_commit(db, rows.commit_to_row(commit, detailed=detailed), files)


def get_analysis(db: sqlite_utils.Database, repo: str, sha: str) -> Analysis | None:
    """A commit's stored analysis, or None."""
    row = analyses.get_analysis(db, repo, sha)
    return rows.analysis_from_row(row) if row else None


def get_analyses(db: sqlite_utils.Database, repo: str, shas: list[str]) -> dict[str, Analysis]:
    """The stored analyses of the given commits, by SHA."""
    return {sha: rows.analysis_from_row(r) for sha, r in analyses.get_analyses(db, repo, shas).items()}


def save_analysis(db: sqlite_utils.Database, repo: str, analysis: Analysis) -> None:
    """Store a commit's analysis (its card bounded, its error redacted), replacing the previous one."""
    if analysis.card is not None:
        analysis.card = bound_card(analysis.card)
    analyses.save_analysis(db, _redacted(rows.analysis_to_row(repo, analysis), "error"))


def unfinished_analyses(db: sqlite_utils.Database, repo: str, max_attempts: int) -> list[Analysis]:
    """Pending or failed analyses of a repository still under the attempt cap."""
    return [rows.analysis_from_row(r) for r in analyses.unfinished_analyses(db, repo, max_attempts)]


def analysis_counts(db: sqlite_utils.Database, repo: str | None = None) -> dict[str, int]:
    """How many analyses (of one repository, or all) are in each status."""
    return analyses.analysis_counts(db, repo)


def get_cursor(db: sqlite_utils.Database, repo: str, target: str) -> Cursor | None:
    """A digest target's cursor for a repository, or None."""
    row = repositories.get_cursor(db, repo, target)
    return rows.cursor_from_row(row) if row else None


def set_cursor(db: sqlite_utils.Database, cursor: Cursor) -> None:
    """Record a digest target's new cursor."""
    repositories.set_cursor(db, cursor.repo, cursor.target, cursor.branch, cursor.sha)


def list_cursors(db: sqlite_utils.Database, repo: str) -> list[Cursor]:
    """Every digest target's cursor for a repository."""
    return [rows.cursor_from_row(r) for r in repositories.list_cursors(db, repo)]


def get_repository(db: sqlite_utils.Database, repo: str) -> RepositoryState | None:
    """A repository's latest state, or None."""
    row = repositories.get_repository(db, repo)
    return rows.repository_from_row(row) if row else None


def save_repository(db: sqlite_utils.Database, state: RepositoryState) -> None:
    """Insert or update a repository's state (fields left None keep their stored value)."""
    repositories.upsert_repository(db, _redacted(rows.repository_to_row(state), "last_error"))


def list_repositories(db: sqlite_utils.Database) -> list[RepositoryState]:
    """Every repository's state, by name."""
    return [rows.repository_from_row(r) for r in repositories.list_repositories(db)]


def record_run(db: sqlite_utils.Database, run: RunRecord) -> int:
    """Store a finished run; return its id."""
    return runs.record_run(db, _redacted(rows.run_to_row(run), "error"))


def last_run(db: sqlite_utils.Database, repo: str) -> RunRecord | None:
    """The most recent run of a repository, or None."""
    row = runs.last_run(db, repo)
    return rows.run_from_row(row) if row else None


def usage_since(db: sqlite_utils.Database, since_utc: str) -> UsageTotals:
    """Runs, LLM calls, tokens and errors over runs started at or after `since_utc`."""
    return rows.usage_from_row(runs.usage_since(db, since_utc))


def usage_totals(db: sqlite_utils.Database) -> UsageTotals:
    """LLM calls and tokens over all recorded runs."""
    return rows.usage_from_row(runs.usage_totals(db))


def get_delivery(db: sqlite_utils.Database, channel: str, date: str) -> Delivery | None:
    """A channel's delivery record for one day, or None."""
    row = deliveries.get_digest(db, f"{channel}:{date}")
    return rows.delivery_from_row(row) if row else None


def save_delivery(db: sqlite_utils.Database, delivery: Delivery) -> None:
    """Insert or update a delivery record."""
    deliveries.save_digest(db, _redacted(rows.delivery_to_row(delivery), "error"))


def latest_delivery(db: sqlite_utils.Database, channel: str) -> Delivery | None:
    """A channel's delivery record with the latest date, or None."""
    row = deliveries.latest_digest(db, channel)
    return rows.delivery_from_row(row) if row else None


def delivery_by_message(db: sqlite_utils.Database, channel: str, message_ts: str) -> Delivery | None:
    """The delivery record one of whose top-level messages is `message_ts`, or None."""
    row = deliveries.digest_by_message(db, channel, message_ts)
    return rows.delivery_from_row(row) if row else None


def get_alert(db: sqlite_utils.Database, channel: str, kind: str) -> Alert | None:
    """The alert of one kind in one channel, active or resolved, or None."""
    row = deliveries.get_alert(db, channel, kind)
    return rows.alert_from_row(row) if row else None


def save_alert(db: sqlite_utils.Database, alert: Alert) -> None:
    """Insert or update an alert."""
    deliveries.save_alert(db, _redacted(rows.alert_to_row(alert), "text"))


def raise_alert(db: sqlite_utils.Database, alert: Alert) -> None:
    """Store an alert raised afresh: its created_at becomes the current time."""
    alert.created_at = now()
    save_alert(db, alert)


def active_alerts(db: sqlite_utils.Database, channel: str | None = None) -> list[Alert]:
    """Active alerts, for one channel or all, oldest first."""
    return [
        a
        for a in map(rows.alert_from_row, deliveries.active_alerts(db, channel))
        if a.status is AlertStatus.ACTIVE
    ]


class HttpCacheTable:
    """The HTTP cache of conditional GETs, kept in SQLite."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self._db = db

    def get(self, url: str) -> tuple[str, str] | None:
        """The stored (ETag, body) of `url`, or None."""
        row = http_cache.get_http_cache(self._db, url)
        return (row["etag"], row["body"]) if row else None

    def put(self, url: str, etag: str, body: str) -> None:
        """Store the ETag and body of `url`."""
        http_cache.set_http_cache(self._db, url, etag, body)


def clear_patches(db: sqlite_utils.Database, repo: str, sha: str) -> None:
    """Drop a commit's stored patches once it has been analyzed (the file stats stay)."""
    commits.clear_patches(db, repo, sha)


def stored_entry(db: sqlite_utils.Database, repo: str, sha: str) -> DigestEntry | None:
    """The stored commit with its stored analysis, or None when either is missing."""
    commit = stored_commit(db, repo, sha, detailed=False)
    analysis = get_analysis(db, repo, sha)
    return DigestEntry(commit, analysis) if commit and analysis else None


def save_subscription(db: sqlite_utils.Database, sub: Subscription, created_by: str | None = None) -> None:
    """Store a subscription, replacing the channel's earlier one for the same repository."""
    subscriptions.save_subscription(db, rows.subscription_to_row(sub, created_by))


def delete_subscription(db: sqlite_utils.Database, channel: str, repo: str) -> bool:
    """Remove a channel's subscription; True when there was one."""
    return subscriptions.delete_subscription(db, channel, repo)


def list_subscriptions(db: sqlite_utils.Database, channel: str | None = None) -> list[Subscription]:
    """The subscriptions of one channel, or of all channels, by channel and repository."""
    return [rows.subscription_from_row(r) for r in subscriptions.list_subscriptions(db, channel)]


def claim_event(db: sqlite_utils.Database, event_id: str, kind: str) -> bool:
    """Record a Slack event as handled; False when it already was (Slack retried it)."""
    return events.claim_event(db, event_id, kind)


def link_reply(db: sqlite_utils.Database, channel: str, thread_ts: str, sha: str) -> str | None:
    """The ts of the card already posted for `sha` in the thread of `thread_ts`, or None."""
    row = events.get_link_reply(db, channel, thread_ts, sha)
    return row["reply_ts"] if row else None


def save_link_reply(
    db: sqlite_utils.Database, channel: str, thread_ts: str, repo: str, sha: str, reply_ts: str
) -> None:
    """Record the card posted for a commit in the thread of a shared link."""
    events.save_link_reply(
        db, {"channel": channel, "thread_ts": thread_ts, "repo": repo, "sha": sha, "reply_ts": reply_ts}
    )


def reported_shas(db: sqlite_utils.Database, repo: str, target: str) -> set[str]:
    """Every commit of `repo` that digest target `target` has been told about."""
    return history.reported_shas(db, repo, target)


def stored_shas(db: sqlite_utils.Database, repo: str) -> set[str]:
    """Every stored commit of a repository."""
    return history.stored_shas(db, repo)


def mark_reported(db: sqlite_utils.Database, repo: str, target: str, shas: list[str]) -> None:
    """Record that `target` has been told about these commits."""
    history.mark_reported(db, repo, target, shas)


def set_fingerprints(db: sqlite_utils.Database, repo: str, prints: dict[str, str]) -> None:
    """Store the content fingerprints of stored commits."""
    history.set_fingerprints(db, repo, prints)


def fingerprint_of(db: sqlite_utils.Database, repo: str, sha: str) -> str | None:
    """A stored commit's content fingerprint, or None."""
    return history.fingerprints(db, repo, [sha]).get(sha)


def reported_by_fingerprint(
    db: sqlite_utils.Database, repo: str, target: str, prints: list[str]
) -> dict[str, str]:
    """fingerprint -> SHA of a commit reported to `target` with that fingerprint."""
    return history.reported_by_fingerprint(db, repo, target, prints)


def shared_analysis(db: sqlite_utils.Database, repo: str, fingerprint: str, sha: str) -> Analysis | None:
    """A finished analysis of another commit with the same content fingerprint, or None."""
    row = history.finished_analysis_by_fingerprint(db, repo, fingerprint, sha)
    return rows.analysis_from_row(row) if row else None


def link_rewrite(db: sqlite_utils.Database, repo: str, sha: str, original: str) -> None:
    """Record that commit `sha` is a rewritten copy of `original`."""
    history.link_rewrite(db, repo, sha, original)


def rewrite_of(db: sqlite_utils.Database, repo: str, sha: str) -> str | None:
    """The original a rewritten commit replaced, or None."""
    return history.rewrite_of(db, repo, sha)


def adopt_repository(db: sqlite_utils.Database, old: str, new: str) -> bool:
    """Move the rows of a repository kept under an older name to its identity; False when there were none."""
    if repositories.get_repository(db, new) is not None:
        return False
    legacy = repositories.get_repository(db, old)
    if legacy is None or legacy.get("kind") not in ("git", None):
        return False
    return history.rename_repository(db, old, new)


def new_claim_holder() -> str:
    """A claim holder name unique to this process and call."""
    return claims.new_holder()


def acquire_claim(db: sqlite_utils.Database, name: str, holder: str, lease_seconds: float) -> bool:
    """Take claim `name` (in an immediate transaction) unless another live holder has it."""
    return claims.acquire(db, name, holder, lease_seconds)


def renew_claim(db: sqlite_utils.Database, name: str, holder: str, lease_seconds: float) -> bool:
    """Extend a held claim's lease; False when it is no longer held by `holder`."""
    return claims.renew(db, name, holder, lease_seconds)


def release_claim(db: sqlite_utils.Database, name: str, holder: str) -> None:
    """Give up a held claim."""
    claims.release(db, name, holder)
