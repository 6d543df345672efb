"""The interface every commit source implements, and the errors it raises."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from analysis.models import Commit


class SourceError(Exception):
    """A source could not answer; the message says what to do."""


class RepoNotFound(SourceError):
    """The repository does not exist or is not visible with the configured credentials."""


class AccessDenied(SourceError):
    """The credentials are missing, invalid or lack permission."""


class RateLimited(SourceError):
    """The API's rate limit is exhausted until `reset_at`."""

    def __init__(self, message: str, reset_at: datetime | None = None):
        super().__init__(message)
        self.reset_at = reset_at


class UnknownRevision(SourceError):
    """A SHA or branch is not in the repository."""


@dataclass
class CommitRef:
    """A commit as a listing returns it: enough to decide whether to fetch details."""

    sha: str
    committed_at: datetime
    parents: list[str]
    summary: Commit | None = None  # the listing's metadata, without files, when the listing has it


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
