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


@dataclass(frozen=True)
class RateLimit:
    """GitHub's primary rate limit as last announced: requests left in the window and when it resets."""

    remaining: int
    reset: int | None  # epoch seconds


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

    repo: str  # the identity commits are stored under: "owner/name", or a clone's absolute path
    display: str  # the name shown: "owner/name", or a clone's remote owner/name, else its folder name
    followed: str | None  # the ref the last `head` read, e.g. "origin/main"
    requests: int  # HTTP requests (or git invocations) made so far, for accounting
    kind: str  # "github" or "git": how the repository is read

    @property
    def rate_limit(self) -> RateLimit | None:
        """The provider's rate limit as last announced; None when it has none or announced none yet."""
        ...

    async def refresh(self) -> str | None:
        """Bring the source up to date before reading (a clone fetches origin); a note when that failed."""
        ...

    async def default_branch(self) -> str:
        """The repository's default branch."""
        ...

    async def head(self, branch: str) -> str:
        """The SHA at the tip of `branch`."""
        ...

    async def list_window(self, branch: str, since: datetime, until: datetime | None) -> list[CommitRef]:
        """Commits on `branch` whose committer date is in [since, until), newest first (no early stop)."""
        ...

    async def compare(self, base: str, head: str) -> tuple[list[CommitRef], bool]:
        """Commits reachable from `head` but not from `base`, newest first, and whether `base` left the history.

        Raises UnknownRevision when `base` is gone (or shares no history with `head`).
        """
        ...

    async def walk_new(self, head: str, known: set[str], limit: int) -> tuple[list[CommitRef], bool]:
        """Commits reachable from `head` and from no known commit, and whether that is all of them."""
        ...

    async def fingerprints(self, refs: list[CommitRef]) -> dict[str, str]:
        """Content fingerprints a rewrite keeps, when the source can tell them before reading each commit."""
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

    async def read_file(self, path: str, rev: str) -> str | None:
        """The text of `path` at `rev`, None when the file is absent at that revision."""
        ...

    async def repo_paths(self, rev: str) -> list[str]:
        """Every file path at `rev` (to find the repository's packages); kept per revision."""
        ...

    def web_url(self, sha: str) -> str | None:
        """The commit's web page, when the source has one."""
        ...

    async def aclose(self) -> None:
        """Release connections."""
        ...
