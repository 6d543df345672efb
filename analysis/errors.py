"""One exception hierarchy: callers catch by class, never by message text."""

from __future__ import annotations

from datetime import datetime

from storage.errors import CommitDigestError

__all__ = [
    "AccessDenied",
    "AmbiguousRevision",
    "CommitDigestError",
    "RateLimited",
    "RepoNotFound",
    "SourceError",
    "UnknownRevision",
]


class SourceError(CommitDigestError):
    """A source (GitHub or a local clone) could not answer."""


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


class AmbiguousRevision(UnknownRevision):
    """A SHA prefix matches more than one commit."""
