"""The interface every commit source implements."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from analysis.models import Commit


@dataclass
class CommitRef:
    """A commit as a listing returns it: enough to decide whether to fetch details."""

    sha: str
    committed_at: datetime
    parents: list[str]
    summary: Commit | None = None  # the listing's metadata, without files, when the listing has it


class HttpCache(Protocol):
    """Where conditional GETs keep the ETag and body of each URL."""

    def get(self, url: str) -> tuple[str, str] | None:
        """The stored (ETag, body) of `url`, or None."""
        ...

    def put(self, url: str, etag: str, body: str) -> None:
        """Store the ETag and body of `url`."""
        ...


class Source(Protocol):
    """Reads commits of one repository, from GitHub or a local clone."""

    repo: str  # the name commits are stored under: "owner/name", or a clone's directory name
    requests: int  # HTTP requests (or git invocations) made so far, for accounting

    async def default_branch(self) -> str:
        """The repository's default branch."""
        ...

    async def head(self, branch: str) -> str:
        """The SHA at the tip of `branch`."""
        ...

    async def list_window(self, branch: str, since: datetime, until: datetime) -> list[CommitRef]:
        """Commits on `branch` whose committer date is in [since, until), newest first."""
        ...

    async def list_range(self, branch: str, base: str, head: str) -> list[CommitRef]:
        """Commits reachable from `head` but not from `base`, newest first."""
        ...

    async def fetch(self, sha: str) -> Commit:
        """One commit with all its files and patches (as far as the source has them)."""
        ...

    async def resolve(self, rev: str) -> str:
        """The full SHA of a SHA prefix or ref; raises UnknownRevision."""
        ...

    def web_url(self, sha: str) -> str | None:
        """The commit's web page, when the source has one."""
        ...

    async def aclose(self) -> None:
        """Release connections."""
        ...
