"""Read a commit with its files: from the cache when it was read before, else from the source."""

from __future__ import annotations

import asyncio

import sqlite_utils

from analysis.errors import RateLimited
from analysis.models import Commit
from analysis.rewrites import content_fingerprint
from analysis.sources import Source
from analysis.store import commits as commit_store

FETCH_CONCURRENCY = 4


class CommitReader:
    """The one cache-or-fetch path, with its counters and the rate limit that stopped it, if any."""

    def __init__(
        self, db: sqlite_utils.Database, source: Source, concurrency: int = FETCH_CONCURRENCY
    ) -> None:
        self.db = db
        self.source = source
        self.fetched = 0
        self.cached = 0
        self.limited: RateLimited | None = None  # set once the API's rate limit stops detail fetches
        self._gate = asyncio.Semaphore(concurrency)

    async def read(self, sha: str, summary: Commit | None = None) -> Commit | None:
        """The commit with its files; None when the rate limit stops fetching.

        In that case the listing's `summary` is stored (when nothing is yet), so the next run finds and reads it.
        """
        cached = commit_store.stored_commit(self.db, self.source.repo, sha)
        if cached is not None:
            self.cached += 1
            return cached
        async with self._gate:
            if self.limited is None:  # checked inside the gate: the waiting fetches stop at the first refusal
                try:
                    commit = await self._fetch(sha)
                    self.fetched += 1
                    return commit
                except RateLimited as e:
                    self.limited = e
        if (
            summary is not None
            and commit_store.stored_commit(self.db, self.source.repo, sha, detailed=False) is None
        ):
            commit_store.save_commit(self.db, summary, detailed=False)
        return None

    async def require(self, sha: str) -> Commit:
        """The commit with its files; raises RateLimited when it cannot be read now."""
        commit = await self.read(sha)
        if commit is None:
            assert self.limited is not None
            raise self.limited
        return commit

    async def _fetch(self, sha: str) -> Commit:
        commit = await self.source.fetch(sha)
        commit.url = commit.url or self.source.web_url(commit.sha)
        commit_store.save_commit(self.db, commit, detailed=True)
        commit_store.set_fingerprints(self.db, self.source.repo, {commit.sha: content_fingerprint(commit)})
        return commit
