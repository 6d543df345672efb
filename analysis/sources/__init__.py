"""Commit sources: the GitHub REST API and local git clones, behind one interface."""

from analysis.sources.base import (
    AccessDenied,
    CommitRef,
    RateLimited,
    RepoNotFound,
    Source,
    SourceError,
    UnknownRevision,
)

__all__ = [
    "AccessDenied",
    "CommitRef",
    "RateLimited",
    "RepoNotFound",
    "Source",
    "SourceError",
    "UnknownRevision",
]
