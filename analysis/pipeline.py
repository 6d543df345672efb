"""fetch -> score -> analyze -> store -> digest, one repository run at a time, fetching and analysis overlapping."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
import zoneinfo

import sqlite_utils

from analysis.analyze import analyze_once, mark_pending, reusable
from analysis.config import PipelineConfig
from analysis.errors import AccessDenied, RateLimited, SourceError
from analysis.fetch import FETCH_CONCURRENCY, CommitReader
from analysis.heal import heal
from analysis.history import Selection, mark_delivered, rewrite_note, select_new
from analysis.interface_step import InterfaceStep
from analysis.lineage_links import link_entries
from analysis.llm import Analyzer, cost_usd, make_analyzer
from analysis.models import Analysis, Commit, Digest, DigestEntry, RepoDigest, Usage, repo_url_of
from analysis.names import disambiguate
from analysis.overview.build import attach_overview
from analysis.progress import Phase, Progress, ProgressEvent
from analysis.redact import error_text, redact
from analysis.rewrites import Rewrites
from analysis.run_record import record_run
from analysis.sources import CommitRef, Source, identity, open_source
from analysis.store import analyses as analysis_store
from analysis.store import commits as commit_store
from analysis.store import repositories as repo_store
from storage.db import now
from storage.full import DiskFull, db_file, full_disk_said, is_disk_full
from storage.space import reclaim_space

__all__ = [
    "FETCH_CONCURRENCY",
    "Progress",
    "RepoRun",
    "advance_cursors",
    "day_window",
    "make_analyzer",
    "run_digest",
    "today",
]

log = logging.getLogger(__name__)


def day_window(day: dt.date, tz: str) -> tuple[dt.datetime, dt.datetime]:
    """The [start, end) instants of `day` in time zone `tz`, as aware UTC datetimes."""
    zone = zoneinfo.ZoneInfo(tz)
    start = dt.datetime.combine(day, dt.time(0), tzinfo=zone)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=zone)
    return start.astimezone(dt.UTC), end.astimezone(dt.UTC)


def today(tz: str) -> dt.date:
    """Today's date in time zone `tz`."""
    return dt.datetime.now(zoneinfo.ZoneInfo(tz)).date()


class RepoRun:
    """One repository's part of one digest run: database, configuration, source and analyzer; owns the cursors."""

    def __init__(
        self,
        db: sqlite_utils.Database,
        cfg: PipelineConfig,
        spec: str,
        analyzer: Analyzer | None,
        *,
        target: str = "terminal",
        progress: Progress | None = None,
    ) -> None:
        self.db = db
        self.cfg = cfg
        self.spec = spec
        self.analyzer = analyzer
        self.target = target
        self.progress = progress
        self._total = self._fetched = 0  # commits listed, and read so far, for the progress display
        self.usage = Usage()
        self.alerts: list[str] = []
        self.source: Source | None = None
        self.reader: CommitReader | None = None
        self.interfaces: InterfaceStep | None = None
        self.selection = Selection()
        self.replaced = 0  # reported commits this run found rewritten

    async def digest(self, day: dt.date | None) -> RepoDigest:
        """Read, store and analyze the repository's commits; errors become RepoDigest.error."""
        rd = RepoDigest(repo=identity(self.spec), display=self.spec)
        started = now()
        try:
            self.source = source = open_source(
                self.spec, self.cfg.source, self.db, language=self.cfg.language
            )
            self.reader = CommitReader(self.db, source)
            self.interfaces = InterfaceStep(self.db, source, enabled=self.cfg.interfaces)
            self.interfaces.halted = lambda: self.reader is not None and self.reader.limited is not None
            if note := await source.refresh():
                rd.notes.append(note)
            rd.repo, rd.display = source.repo, source.display
            self._report(Phase.LISTING)
            if os.path.isabs(rd.repo):  # a clone's rows were once kept under its folder name
                repo_store.adopt_repository(self.db, os.path.basename(rd.repo), rd.repo)
            rd.branch = self.cfg.source.branch or await source.default_branch()  # never a remembered one
            rd.url = repo_url_of(source.web_url("0" * 40))  # any SHA: only the prefix is kept
            refs = await self._list_refs(rd, day)
            rd.entries = await self._process(refs)
            link_entries(self.db, rd.repo, rd.entries)
            if note := rewrite_note(rd.branch, self.selection, self.replaced):
                rd.notes.insert(0, note)
            await heal(self.db, self.cfg, self.reader, self.analyzer, self.usage, {r.sha for r in refs})
            if self.reader.limited is not None:
                unread = sum(1 for e in rd.entries if not e.commit.files)
                self.alerts.append(
                    f"{self.reader.limited} {unread} commits are listed without their diffs; the next run reads them."
                )
        except (AccessDenied, RateLimited) as e:
            rd.error = redact(str(e))
            self.alerts.append(rd.error)
        except SourceError as e:
            rd.error = redact(str(e))
        except Exception as e:  # one bad repository never stops the others; a full disk stops the run
            if is_disk_full(e):
                raise DiskFull(db_file(self.db)) from None
            log.exception("%s: digest failed", rd.repo)
            rd.error = f"unexpected error while reading {rd.repo}: {error_text(e)}"
        finally:
            try:
                with full_disk_said(self.db):
                    record_run(self.db, rd, started, day, self.source, self.reader, self.usage)
                self._report(Phase.DONE, len(rd.entries), len(rd.entries))
            finally:  # a full disk stops the run, but never leaves the source's git processes behind
                if self.source is not None:
                    await self.source.aclose()
        return rd

    async def _list_refs(self, rd: RepoDigest, day: dt.date | None) -> list[CommitRef]:
        """The commits a digest covers: a day's window (by committer date), or what is new to the target."""
        assert self.source is not None and rd.branch is not None
        source = self.source
        if day is not None:
            start, end = day_window(day, self.cfg.timezone)
            rd.since = start.isoformat()
            refs = await source.list_window(rd.branch, start, end)
            rd.followed = source.followed or rd.branch
            return refs
        rd.head = await source.head(rd.branch)
        rd.followed = source.followed or rd.branch
        first_since, _ = day_window(today(self.cfg.timezone) - dt.timedelta(days=1), self.cfg.timezone)
        self.selection = sel = await select_new(
            self.db,
            source,
            self.target,
            rd.branch,
            rd.head,
            first_since=first_since,
            limit=self.cfg.max_new_commits,
        )
        rd.since, rd.head = sel.since, sel.head
        rd.notes.extend(sel.notes)
        return sel.refs

    def _prompt_version(self) -> str | None:
        return self.analyzer.prompt_version if self.analyzer is not None else None

    async def _process(self, refs: list[CommitRef]) -> list[DigestEntry]:
        """Fetch and analyze the listed commits concurrently; newest first."""
        assert self.source is not None and self.reader is not None
        repo, reader = self.source.repo, self.reader
        stored = analysis_store.get_analyses(self.db, repo, [r.sha for r in refs])
        assert self.interfaces is not None
        self.interfaces.prepare([r.sha for r in refs])
        rewrites = Rewrites(self.db, self.source, self.target, self.selection.check_rewrites)
        await rewrites.prepare(refs)
        done = 0

        async def one(ref: CommitRef) -> DigestEntry | None:
            nonlocal done
            entry = await self._one(ref, reader, rewrites, stored.get(ref.sha))
            done += 1
            self._report(Phase.ANALYZING, done, len(refs))
            return entry

        self._total, self._fetched = len(refs), 0
        self._report(Phase.FETCHING, 0, len(refs))
        tasks = [asyncio.create_task(one(r)) for r in refs]
        try:
            found = await asyncio.gather(*tasks)
        except BaseException:
            for t in tasks:
                t.cancel()
            raise
        self.replaced = len(rewrites.linked)
        entries = [e for e in found if e is not None]
        entries.sort(key=lambda e: e.commit.committed_at, reverse=True)
        return entries

    async def _one(
        self, ref: CommitRef, reader: CommitReader, rewrites: Rewrites, prev: Analysis | None
    ) -> DigestEntry | None:
        """Read and analyze one commit; None for a rewritten copy of a reported one."""
        original = rewrites.before_read(ref)
        commit = None if original else await reader.read(ref.sha, ref.summary)
        self._fetched += 1
        self._report(Phase.FETCHING, self._fetched, self._total)
        original = original or rewrites.after_read(ref, commit)
        if original:
            rewrites.link(ref, original)
            return None
        assert self.interfaces is not None
        if commit is None:  # not fetched (rate limit): listed, and pending until a later run reads it
            commit = self._listed(ref)
            pending = mark_pending(self.db, commit, self.cfg, prev)
            return DigestEntry(commit, pending, self.interfaces.known(ref.sha))
        interfaces = await self.interfaces.report(commit)
        if reusable(prev, self.cfg, self._prompt_version()):
            assert prev is not None
            return DigestEntry(commit, prev, interfaces)
        if prev is None and reusable(shared := rewrites.shared(ref), self.cfg, self._prompt_version()):
            assert shared is not None
            return DigestEntry(
                commit, shared, interfaces
            )  # the same change was analyzed before under another SHA
        analysis, made = await analyze_once(
            self.db, self.cfg, commit, self.analyzer, self._prompt_version(), interfaces=interfaces
        )
        if made:
            self.usage.add(analysis.usage)
        return DigestEntry(commit, analysis, interfaces)

    def _report(self, phase: Phase, done: int = 0, total: int = 0) -> None:
        if self.progress is not None:
            repo = (self.source.display or self.source.repo) if self.source is not None else self.spec
            self.progress(ProgressEvent(repo, phase, done, total))

    def _listed(self, ref: CommitRef) -> Commit:
        """What is known of a commit whose details could not be fetched."""
        assert self.source is not None
        stored = commit_store.stored_commit(self.db, self.source.repo, ref.sha, detailed=False)
        return (
            stored
            or ref.summary
            or Commit(self.source.repo, ref.sha, "", "", ref.committed_at, parents=ref.parents)
        )


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
    requester = analyzer.requester if analyzer is not None else None  # the day's overview, when it has one
    try:
        for spec in cfg.repos:
            run = RepoRun(db, cfg, spec, analyzer, target=target, progress=progress)
            with full_disk_said(db):  # a full disk stops the run: nothing is marked reported
                digest.repos.append(await run.digest(day))
                await attach_overview(db, cfg, digest.repos[-1], digest.date, requester, digest.usage)
            digest.usage.add(run.usage)
            digest.alerts.extend(run.alerts)
    finally:
        if analyzer is not None:
            digest.alerts.extend(analyzer.alerts)
            await analyzer.aclose()
    disambiguate(digest.repos)
    digest.alerts = [redact(a) for a in digest.alerts]
    if cfg.llm is not None:
        digest.usage.cost_usd = cost_usd(digest.usage.prompt_tokens, digest.usage.completion_tokens, cfg.llm)
    with full_disk_said(db):
        if day is None and advance_cursor:
            advance_cursors(db, digest, target)
        reclaim_space(db)  # the room of the patches cleared after analysis goes back to the disk
    return digest


def advance_cursors(db: sqlite_utils.Database, digest: Digest, target: str) -> None:
    """Record what each repository's digest told `target`, and move its cursor to the head it read up to."""
    for rd in digest.repos:
        if rd.head and not rd.error and rd.branch:
            mark_delivered(db, rd.repo, target, rd.branch, rd.head, [e.commit.sha for e in rd.entries])
