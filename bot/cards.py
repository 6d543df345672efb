"""The analysis cards buttons act on: a stored commit and its analysis, named by a button value `repo@sha`."""

from __future__ import annotations

import sqlite_utils

from analysis.lineage_links import attach_lineage
from analysis.models import DigestEntry
from analysis.store import analyses as analysis_store
from analysis.store import commits as commit_store
from bot.slack.blocks import SlackMessage, card_reply_blocks


def load_entry(db: sqlite_utils.Database, value: str) -> DigestEntry | None:
    """The stored commit and analysis named by a button value `repo@sha`, or None."""
    repo, _, sha = value.rpartition("@")
    commit = commit_store.stored_commit(db, repo, sha, detailed=False)
    analysis = analysis_store.get_analysis(db, repo, sha)
    if commit is None or analysis is None:
        return None
    entry = DigestEntry(commit, analysis)
    attach_lineage(db, [entry])
    return entry


def reply_card(db: sqlite_utils.Database, value: str, language: str) -> SlackMessage | None:
    """The thread-reply card of the commit named by `repo@sha`, or None when it is not stored."""
    entry = load_entry(db, value)
    return card_reply_blocks(entry, language=language) if entry else None
