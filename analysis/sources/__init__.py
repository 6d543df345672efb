"""Commit sources: the GitHub REST API and local git clones, behind one interface."""

from __future__ import annotations

import os

import sqlite_utils

from analysis.config import SourceConfig
from analysis.errors import (
    AccessDenied,
    AmbiguousRevision,
    RateLimited,
    RepoNotFound,
    SourceError,
    UnknownRevision,
)
from analysis.identity import REPO_NAME_RE
from analysis.sources.base import CommitRef, Source

__all__ = [
    "identity",
    "AccessDenied",
    "AmbiguousRevision",
    "CommitRef",
    "RateLimited",
    "RepoNotFound",
    "Source",
    "SourceError",
    "UnknownRevision",
    "is_local",
    "open_source",
]


def is_local(spec: str) -> bool:
    """True when `spec` names a local clone rather than a GitHub owner/repo."""
    return spec.startswith(("/", ".", "~")) or os.path.isdir(os.path.expanduser(spec))


def identity(spec: str) -> str:
    """The name a repository's rows are kept under: owner/repo, or a local clone's absolute path."""
    return os.path.abspath(os.path.expanduser(spec)) if is_local(spec) else spec


def open_source(
    spec: str,
    cfg: SourceConfig,
    db: sqlite_utils.Database,
    *,
    github_only: bool = False,
    language: str = "en",
) -> Source:
    """The source for `spec`: a local clone path, or a GitHub `owner/repo` (only that with `github_only`)."""
    if not github_only and is_local(spec):
        from analysis.sources.git import GitSource

        path = os.path.abspath(os.path.expanduser(spec))
        return GitSource(path, fetch=cfg.git_fetch, fetch_timeout=cfg.git_fetch_timeout, language=language)
    if not REPO_NAME_RE.match(spec):
        raise SourceError(f"{spec!r} is neither owner/repo nor a path to a local clone")
    from analysis.sources.github import GitHubSource
    from analysis.store.http_cache import HttpCacheTable

    return GitHubSource(spec, HttpCacheTable(db), cfg.github_api_url, cfg.github_token)
