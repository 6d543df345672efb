"""The analysis cards buttons act on: a stored commit and its analysis, named by a button value `repo@sha`."""

from __future__ import annotations

import os
from collections.abc import Iterable

import sqlite_utils

from analysis.entries import stored_entry
from analysis.models import DigestEntry
from analysis.store import commits as commit_store
from bot.slack.blocks import SlackMessage, card_reply_blocks


def _shown(repo: str) -> str:
    """The name a button shows a repository by: a local clone's folder name, else the repository itself."""
    return os.path.basename(repo.rstrip("/")) if os.path.isabs(repo) else repo


def button_repo(db: sqlite_utils.Database, repo: str, sha: str, watched: Iterable[str] = ()) -> str:
    """The stored repository a button's `repo` names: a clone's shown name is resolved through the watched list."""
    if os.path.isabs(repo) or commit_store.stored_commit(db, repo, sha, detailed=False) is not None:
        return repo
    clones = [w for w in watched if os.path.isabs(w) and _shown(w) == repo]
    stored = [r for r, s in commit_store.commit_keys_by_prefix(db, sha) if s == sha and os.path.isabs(r)]
    for path in [*clones, *stored]:
        if _shown(path) == repo and commit_store.stored_commit(db, path, sha, detailed=False) is not None:
            return path
    return repo


def load_entry(db: sqlite_utils.Database, value: str, watched: Iterable[str] = ()) -> DigestEntry | None:
    """The stored commit and analysis named by a button value `repo@sha`, or None."""
    repo, _, sha = value.rpartition("@")
    repo = button_repo(db, repo, sha, watched)
    return stored_entry(db, repo, sha)


def reply_card(
    db: sqlite_utils.Database, value: str, language: str, watched: Iterable[str] = ()
) -> SlackMessage | None:
    """The thread-reply card of the commit named by `repo@sha`, or None when it is not stored."""
    entry = load_entry(db, value, watched)
    return card_reply_blocks(entry, language=language) if entry else None
