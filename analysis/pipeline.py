"""fetch -> score -> analyze -> store -> digest, with fetching and analysis overlapping."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass, field

import sqlite_utils

from analysis import records
from analysis.config import PipelineConfig
from analysis.heuristic import heuristic_analysis
from analysis.importance import score
from analysis.llm import make_analyzer
from analysis.models import (
    Analysis,
    AnalysisStatus,
    Commit,
    Digest,
    DigestEntry,
    RepoDigest,
    Usage,
    repo_url_of,
)
from analysis.sources import (
    AccessDenied,
    CommitRef,
    RateLimited,
    Source,
    SourceError,
    UnknownRevision,
    open_source,
)
from storage import db as store

log = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]
FETCH_CONCURRENCY = 4


@dataclass
class RepoRun:
    """Counters for one repository in one run."""

    fetched: int = 0
    cached: int = 0
    usage: Usage = field(default_factory=Usage)
    limited: RateLimited | None = None  # set once the API's rate limit stops detail fetches


def day_window(day: dt.date, tz: str) -> tuple[dt.datetime, dt.datetime]:
    """The [start, end) instants of `day` in time zone `tz`, as aware UTC datetimes."""
    zone = zoneinfo.ZoneInfo(tz)
    start = dt.datetime.combine(day, dt.time(0), tzinfo=zone)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=zone)
    return start.astimezone(dt.UTC), end.astimezone(dt.UTC)


def today(tz: str) -> dt.date:
    """Today's date in time zone `tz`."""
    return dt.datetime.now(zoneinfo.ZoneInfo(tz)).date()


def _reusable(row: dict | None, cfg: PipelineConfig, prompt_version: str | None) -> bool:
    """Whether a stored analysis can stand for this run."""
    if row is None or cfg.reanalyze:
        return False
    status = row["status"]
    if cfg.llm is None:
        return status in ("done", "heuristic") and row["language"] == cfg.language
    if status != "done":
        return status == "failed" and (row["attempts"] or 0) >= cfg.llm.max_attempts
    return (
        row["model"] == cfg.llm.model
        and row["prompt_version"] == prompt_version
        and row["language"] == cfg.language
    )


async def analyze_commit(
    db: sqlite_utils.Database, cfg: PipelineConfig, commit: Commit, analyzer
) -> Analysis:
    """Score and analyze one stored commit, store the analysis, and return it."""
    verdict = score(commit)
    prev = store.get_analysis(db, commit.repo, commit.sha)
    prev_attempts = (prev or {}).get("attempts") or 0
    if analyzer is None or commit.is_merge:
        result = heuristic_analysis(commit, verdict, cfg.language)
    else:
        if prev is None:  # a crash from here on leaves the commit pending, never lost
            _pending(db, commit, cfg, prev)
        result = await analyzer.analyze(commit, verdict)
        result.reasons = result.reasons or verdict.reasons
        if result.status is AnalysisStatus.PENDING:
            result.attempts = prev_attempts
        else:
            result.attempts = prev_attempts + 1
    store.save_analysis(db, records.analysis_to_row(commit.repo, result))
    if result.finished:
        store.clear_patches(db, commit.repo, commit.sha)
    return result


async def _load_or_fetch(
    db: sqlite_utils.Database, source: Source, ref: CommitRef, run: RepoRun
) -> Commit | None:
    """The commit with its files: from the cache when it was fetched before, else from the source.

    None when the rate limit stops fetching: the listing's metadata is stored instead, for the next run.
    """
    row = store.get_commit(db, source.repo, ref.sha)
    if row and row["detailed"]:
        run.cached += 1
        return records.commit_from_rows(row, store.get_files(db, source.repo, ref.sha))
    if run.limited is None:
        try:
            commit = await fetch_commit(db, source, ref.sha)
            run.fetched += 1
            return commit
        except RateLimited as e:
            run.limited = e
    if ref.summary is not None and not row:
        store.save_commit(db, records.commit_to_row(ref.summary, detailed=False))
    return None


async def fetch_commit(db: sqlite_utils.Database, source: Source, sha: str) -> Commit:
    """Fetch one commit with its files from the source and store it."""
    commit = await source.fetch(sha)
    commit.url = commit.url or source.web_url(commit.sha)
    files = [records.file_to_row(commit.repo, commit.sha, f) for f in commit.files]
    store.save_commit(db, records.commit_to_row(commit, detailed=True), files)
    return commit


async def load_commit(db: sqlite_utils.Database, source: Source, sha: str) -> Commit:
    """The commit with its files from the cache, else fetched from the source and stored."""
    row = store.get_commit(db, source.repo, sha)
    if row and row["detailed"]:
        return records.commit_from_rows(row, store.get_files(db, source.repo, sha))
    return await fetch_commit(db, source, sha)


async def _list_refs(
    db: sqlite_utils.Database,
    source: Source,
    cfg: PipelineConfig,
    rd: RepoDigest,
    day: dt.date | None,
    target: str,
) -> list[CommitRef]:
    """The commits a digest covers: a day's window, or everything since the target's cursor."""
    if day is not None:
        start, end = day_window(day, cfg.timezone)
        rd.since = start.isoformat()
        return await source.list_window(rd.branch, start, end)
    rd.head = await source.head(rd.branch)
    cursor = store.get_cursor(db, source.repo, target)
    if cursor and cursor["sha"] == rd.head:
        rd.since = cursor["sha"]
        return []
    if cursor and cursor["branch"] == rd.branch:
        try:
            rd.since = cursor["sha"]
            return await source.list_range(rd.branch, cursor["sha"], rd.head)
        except UnknownRevision:
            log.warning(
                "%s: cursor %s is no longer in %s; reading since its time",
                source.repo,
                cursor["sha"][:7],
                rd.branch,
            )
            start = dt.datetime.fromisoformat(cursor["updated_at"])
    else:
        start, _ = day_window(today(cfg.timezone) - dt.timedelta(days=1), cfg.timezone)
    rd.since = start.isoformat()
    return await source.list_window(rd.branch, start, dt.datetime.now(dt.UTC) + dt.timedelta(minutes=1))


async def _digest_repo(
    db: sqlite_utils.Database,
    cfg: PipelineConfig,
    spec: str,
    analyzer,
    day: dt.date | None,
    target: str,
    progress: Progress | None,
    usage: Usage,
    alerts: list[str],
) -> RepoDigest:
    """Read, store and analyze one repository's commits for the digest; errors become RepoDigest.error."""
    rd = RepoDigest(repo=spec)
    run = RepoRun()
    started = store.now()
    source: Source | None = None
    try:
        source = open_source(spec, cfg.source, db)
        rd.repo = source.repo
        known = store.get_repository(db, source.repo)
        rd.branch = cfg.source.branch or (known or {}).get("default_branch") or await source.default_branch()
        rd.url = repo_url_of(source.web_url("0" * 40))  # any SHA: only the prefix is kept
        refs = await _list_refs(db, source, cfg, rd, day, target)
        rd.entries = await _process(db, cfg, source, refs, analyzer, run, progress)
        await _heal(db, cfg, source, analyzer, run, {r.sha for r in refs})
        if run.limited is not None:
            unread = sum(1 for e in rd.entries if not e.commit.files)
            alerts.append(
                f"{run.limited} {unread} commits are listed without their diffs; the next run reads them."
            )
    except (AccessDenied, RateLimited) as e:
        rd.error = str(e)
        alerts.append(str(e))
    except SourceError as e:
        rd.error = str(e)
    except Exception as e:  # one bad repository never stops the others
        log.exception("%s: digest failed", rd.repo)
        rd.error = f"unexpected error while reading {rd.repo}: {type(e).__name__}: {e}"
    finally:
        usage.llm_calls += run.usage.llm_calls
        usage.prompt_tokens += run.usage.prompt_tokens
        usage.completion_tokens += run.usage.completion_tokens
        _record(db, rd, source, run, started, day)
        if source is not None:
            await source.aclose()
    return rd


async def _process(
    db: sqlite_utils.Database,
    cfg: PipelineConfig,
    source: Source,
    refs: list[CommitRef],
    analyzer,
    run: RepoRun,
    progress: Progress | None,
) -> list[DigestEntry]:
    """Fetch and analyze the listed commits concurrently, in listing order."""
    prompt_version = getattr(analyzer, "prompt_version", None)
    stored = store.get_analyses(db, source.repo, [r.sha for r in refs])
    fetch_gate = asyncio.Semaphore(FETCH_CONCURRENCY)
    done = 0

    async def one(ref: CommitRef) -> DigestEntry:
        nonlocal done
        async with fetch_gate:
            commit = await _load_or_fetch(db, source, ref, run)
        row = stored.get(ref.sha)
        if commit is None:  # not fetched (rate limit): listed, and pending until a later run reads it
            commit = _listed(db, source.repo, ref)
            analysis = _pending(db, commit, cfg, row)
        elif _reusable(row, cfg, prompt_version):
            analysis = records.analysis_from_row(row)
        else:
            analysis = await analyze_commit(db, cfg, commit, analyzer)
            run.usage.add(analysis)
        done += 1
        if progress:
            progress(source.repo, done, len(refs))
        return DigestEntry(commit, analysis)

    if progress:
        progress(source.repo, 0, len(refs))
    tasks = [asyncio.create_task(one(r)) for r in refs]
    try:
        entries = await asyncio.gather(*tasks)
    except BaseException:
        for t in tasks:
            t.cancel()
        raise
    entries.sort(key=lambda e: e.commit.committed_at, reverse=True)
    return entries


def _listed(db: sqlite_utils.Database, repo: str, ref: CommitRef) -> Commit:
    """What is known of a commit whose details could not be fetched."""
    row = store.get_commit(db, repo, ref.sha)
    if row:
        return records.commit_from_rows(row)
    return ref.summary or Commit(repo, ref.sha, "", "", ref.committed_at, parents=ref.parents)


def _pending(db: sqlite_utils.Database, commit: Commit, cfg: PipelineConfig, row: dict | None) -> Analysis:
    """Store the commit's analysis as pending (keeping its attempts) and return it."""
    verdict = score(commit)
    pending = Analysis(commit.sha, AnalysisStatus.PENDING, verdict.importance, reasons=verdict.reasons)
    pending.language = cfg.language
    pending.attempts = (row or {}).get("attempts") or 0
    store.save_analysis(db, records.analysis_to_row(commit.repo, pending))
    return pending


async def _heal(
    db: sqlite_utils.Database, cfg: PipelineConfig, source: Source, analyzer, run: RepoRun, seen: set[str]
) -> None:
    """Complete pending and failed analyses left by earlier runs (under the attempt cap), fetching as needed."""
    if getattr(analyzer, "auth_failed", False):
        return
    cap = cfg.llm.max_attempts if cfg.llm else 1
    rows = [r for r in store.unfinished_analyses(db, source.repo, cap) if r["sha"] not in seen]
    gate = asyncio.Semaphore(FETCH_CONCURRENCY)

    async def one(sha: str) -> None:
        crow = store.get_commit(db, source.repo, sha)
        if crow is None:
            return
        if crow["detailed"]:
            commit = records.commit_from_rows(crow, store.get_files(db, source.repo, sha))
        elif run.limited is not None:
            return
        else:
            try:
                async with gate:
                    commit = await fetch_commit(db, source, sha)
                run.fetched += 1
            except RateLimited as e:
                run.limited = e
                return
        run.usage.add(await analyze_commit(db, cfg, commit, analyzer))

    await asyncio.gather(*(one(r["sha"]) for r in rows))


def _record(
    db: sqlite_utils.Database,
    rd: RepoDigest,
    source: Source | None,
    run: RepoRun,
    started: str,
    day: dt.date | None,
) -> None:
    """Store the run and the repository's latest state."""
    status = "error" if rd.error else "ok"
    requests = getattr(source, "requests", 0) if source else 0
    store.record_run(
        db,
        {
            "repo": rd.repo,
            "started_at": started,
            "finished_at": store.now(),
            "status": status,
            "mode": "date" if day else "cursor",
            "window": day.isoformat() if day else (rd.since or ""),
            "commits": len(rd.entries),
            "fetched": run.fetched,
            "requests": requests,
            "llm_calls": run.usage.llm_calls,
            "prompt_tokens": run.usage.prompt_tokens,
            "completion_tokens": run.usage.completion_tokens,
            "error": rd.error,
        },
    )
    repo_row = {"repo": rd.repo, "last_run_at": started, "last_run_status": status, "last_error": rd.error}
    if source is not None:
        repo_row["kind"] = type(source).__name__.removesuffix("Source").lower()
        if rd.branch:
            repo_row["default_branch"] = rd.branch
        for attr in ("rate_limit_remaining", "rate_limit_reset"):
            if getattr(source, attr, None) is not None:
                repo_row[attr] = getattr(source, attr)
    store.upsert_repository(db, repo_row)


async def run_digest(
    db: sqlite_utils.Database,
    cfg: PipelineConfig,
    *,
    day: dt.date | None = None,
    target: str = "terminal",
    advance_cursor: bool = True,
    progress: Progress | None = None,
) -> Digest:
    """Build the digest of `day`, or (day None) of everything new since `target`'s cursor."""
    digest = Digest(
        date=(day or today(cfg.timezone)).isoformat(), timezone=cfg.timezone, language=cfg.language
    )
    analyzer = make_analyzer(cfg, db)
    try:
        for spec in cfg.repos:
            digest.repos.append(
                await _digest_repo(
                    db, cfg, spec, analyzer, day, target, progress, digest.usage, digest.alerts
                )
            )
    finally:
        if analyzer is not None:
            digest.alerts.extend(analyzer.alerts)
            await analyzer.aclose()
    if cfg.llm is not None:
        from analysis.llm import cost_usd

        digest.usage.cost_usd = cost_usd(digest.usage.prompt_tokens, digest.usage.completion_tokens, cfg.llm)
    if day is None and advance_cursor:
        advance_cursors(db, digest, target)
    return digest


def advance_cursors(db: sqlite_utils.Database, digest: Digest, target: str) -> None:
    """Move each repository's cursor for `target` to the head its digest read up to."""
    for rd in digest.repos:
        if rd.head and not rd.error and rd.branch:
            store.set_cursor(db, rd.repo, target, rd.branch, rd.head)
