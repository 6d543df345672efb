"""Which repositories this workspace watches, and which names a user may give for one.

Configured repositories (DIGEST_REPOS) may be local clones; everything a Slack member writes is a GitHub
`owner/repo` name only, never a path.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

import sqlite_utils

from analysis.identity import REPO_NAME_RE
from analysis.sources import is_local
from analysis.store import channel_subscriptions as subscription_store

_DOT_PARTS = {".", ".."}


def is_repo_name(text: str) -> bool:
    """True for a plain GitHub `owner/repo`: letters, digits, `_.-`, and neither part `.` nor `..`."""
    if not text or not REPO_NAME_RE.match(text):
        return False
    return not any(part in _DOT_PARTS for part in text.split("/"))


def watched_repos(db: sqlite_utils.Database, configured: Iterable[str]) -> set[str]:
    """Every repository this workspace watches: the configured ones, plus each `owner/repo` a channel follows.

    A subscription that is neither a configured repository nor a plain `owner/repo` (an old path) is left out.
    """
    configured = set(configured)
    followed = {s.repo for s in subscription_store.list_subscriptions(db)}
    return configured | {r for r in followed if is_repo_name(r)}


def display_name(spec: str) -> str:
    """The name a repository is shown and stored under: `owner/repo`, or a local clone's directory name."""
    if is_repo_name(spec) and not spec.startswith(".") and not is_local(spec):
        return spec
    return os.path.basename(os.path.abspath(os.path.expanduser(spec)))


def selects(spec: str, repo: str) -> bool:
    """Whether the watched `spec` is the repository a commit URL names (`owner/repo`).

    A local clone is selected by its directory name, so a GitHub URL of the project it clones finds it.
    """
    repo = repo.lower()
    if spec.lower() == repo:
        return True
    return is_local(spec) and display_name(spec).lower() == repo.rsplit("/", 1)[-1]


def stored_as(spec: str, stored: str) -> bool:
    """Whether commits stored under the name `stored` come from the watched `spec` (a clone by name or path)."""
    if stored == spec:
        return True
    return is_local(spec) and stored in (display_name(spec), os.path.abspath(os.path.expanduser(spec)))


def named_by(stored: str, repo: str) -> bool:
    """Whether the stored repository name `stored` is the `owner/repo` a URL names (a clone by its folder name)."""
    repo = repo.lower()
    stored = stored.lower()
    if stored == repo:
        return True
    is_clone = stored.startswith(("/", ".", "~")) or "/" not in stored
    return is_clone and os.path.basename(stored.rstrip("/")) == repo.rsplit("/", 1)[-1]
