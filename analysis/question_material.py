"""What a question in a thread is about: the thread found through the day's deliveries (or a card posted under a
link), and the evidence gathered from the watched repositories only: the commit with its diff and card, or the
day's cards and overview."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Collection
from dataclasses import dataclass, field

import sqlite_utils

from analysis.config import PipelineConfig
from analysis.entries import stored_entry
from analysis.errors import SourceError
from analysis.identity import same_repo
from analysis.models import Commit, DigestEntry
from analysis.overview.overview_types import Overview
from analysis.scope import is_repo_name, stored_as
from analysis.sources import open_source
from analysis.state import Delivery
from analysis.store import commits as commit_store
from analysis.store import deliveries as delivery_store
from analysis.store import saved_overviews

log = logging.getLogger(__name__)
_HEX = re.compile(r"\b[0-9a-fA-F]{7,40}\b")
MAX_DAY_ENTRIES = 300  # cards of one day given to a question at most
DIFF_SECONDS = 30.0  # reading a commit's diff again for a question takes at most this long


@dataclass
class Material:
    """The evidence one question is answered from: one commit (`commit` set) or one day's cards and overview."""

    entries: list[DigestEntry]
    commit: Commit | None = None  # the commit asked about, with its files and (when readable) its diff
    overviews: list[Overview] = field(default_factory=list)
    date: str = ""

    @property
    def shas(self) -> list[str]:
        """Every SHA the material holds, the only ones an answer may cite."""
        return [e.commit.sha for e in self.entries]

    @property
    def paths(self) -> list[str]:
        """Every file path the material holds, the only ones an answer may cite."""
        commits = [self.commit] if self.commit is not None else [e.commit for e in self.entries]
        out: dict[str, None] = {}
        for c in commits:
            for f in c.files:
                out[f.path] = None
                if f.previous_path:
                    out[f.previous_path] = None
        return list(out)

    @property
    def sha(self) -> str:
        """The commit asked about, or "" for a day."""
        return self.commit.sha if self.commit is not None else ""


def is_watched(repo: str, cfg: PipelineConfig, watched: Collection[str]) -> bool:
    """Whether commits stored under `repo` come from a repository this workspace watches."""
    specs = list(cfg.repos) + [w for w in watched if is_repo_name(w)]
    return any(stored_as(s, repo) or same_repo(s, repo) for s in specs)


def _spec_of(repo: str, cfg: PipelineConfig, watched: Collection[str]) -> tuple[str, bool] | None:
    for s in cfg.repos:
        if stored_as(s, repo) or same_repo(s, repo):
            return s, False
    for w in watched:
        if is_repo_name(w) and (w == repo or same_repo(w, repo)):
            return w, True
    return None


async def _with_diff(
    db: sqlite_utils.Database, cfg: PipelineConfig, watched: Collection[str], commit: Commit
) -> Commit:
    """The commit with its patches: stored ones, else read again from its watched repository (not stored)."""
    if any(f.patch for f in commit.files) or not commit.files:
        return commit
    found = _spec_of(commit.repo, cfg, watched)
    if found is None:
        return commit
    source = None
    try:
        source = open_source(found[0], cfg.source, db, github_only=found[1])
        return await asyncio.wait_for(source.fetch(commit.sha), DIFF_SECONDS)
    except (SourceError, OSError, TimeoutError) as e:
        log.warning("the diff of %s could not be read for a question: %s", commit.sha[:12], e)
        return commit
    finally:
        if source is not None:
            await source.aclose()


def _entry(db: sqlite_utils.Database, repos: list[str], sha: str) -> DigestEntry | None:
    for repo, full in commit_store.commit_keys_by_prefix(db, sha, limit=50):
        if full == sha and (not repos or repo in repos):
            entry = stored_entry(db, repo, sha)
            if entry is not None:
                return entry
    return None


def _card_delivery(db: sqlite_utils.Database, channel: str, ts: str) -> tuple[Delivery, str] | None:
    """The delivery one of whose card replies is `ts`, with that card's SHA."""
    for row in db["digests"].rows_where("channel = ? and replies like ?", [channel, f'%"{ts}"%']):
        record = delivery_store.get_delivery(db, row["channel"], row["date"])
        if record is not None:
            for sha, reply in record.replies.items():
                if reply == ts:
                    return record, sha
    return None


@dataclass
class Target:
    """What a thread is about: one commit (`sha`) or a whole delivered day."""

    repos: list[str]
    sha: str = ""
    delivery: Delivery | None = None


def thread_target(db: sqlite_utils.Database, channel: str, thread_ts: str, question: str) -> Target | None:
    """What the thread of `thread_ts` is about: a day's top message (narrowed to one of its commits when the
    question names it), a card reply, or a card posted under a link or mention; None for any other thread."""
    record = delivery_store.delivery_by_message(db, channel, thread_ts)
    if record is not None:
        named = {m.lower() for m in _HEX.findall(question)}
        hits = {s for s in record.shas for m in named if s.lower().startswith(m)}
        if len(hits) == 1:
            return Target(record.repos, sha=hits.pop(), delivery=record)
        return Target(record.repos, delivery=record)
    card = _card_delivery(db, channel, thread_ts)
    if card is not None:
        return Target(card[0].repos, sha=card[1], delivery=card[0])
    rows = list(db["link_replies"].rows_where("channel = ? and thread_ts = ?", [channel, thread_ts]))
    if len(rows) == 1:
        return Target([rows[0]["repo"]], sha=rows[0]["sha"])
    return None


async def commit_material(
    db: sqlite_utils.Database, cfg: PipelineConfig, watched: Collection[str], entry: DigestEntry
) -> Material | None:
    """The material of one commit: its card and its diff; None when its repository is not watched."""
    if not is_watched(entry.commit.repo, cfg, watched):
        return None
    commit = commit_store.stored_commit(db, entry.commit.repo, entry.commit.sha) or entry.commit
    return Material([entry], await _with_diff(db, cfg, watched, commit))


async def target_material(
    db: sqlite_utils.Database, cfg: PipelineConfig, watched: Collection[str], target: Target
) -> Material | None:
    """The material of a thread's target, from the watched repositories only; None when nothing is left."""
    if target.sha:
        entry = _entry(db, target.repos, target.sha)
        return await commit_material(db, cfg, watched, entry) if entry is not None else None
    record = target.delivery
    assert record is not None
    entries = [
        e
        for sha in record.shas[:MAX_DAY_ENTRIES]
        if (e := _entry(db, record.repos, sha)) is not None and is_watched(e.commit.repo, cfg, watched)
    ]
    if not entries:
        return None
    overviews = []
    for repo in dict.fromkeys(e.commit.repo for e in entries):
        cached = saved_overviews.get_overview(db, repo, record.date)
        if cached is not None:
            overviews.append(cached.overview)
    return Material(entries, overviews=overviews, date=record.date)
