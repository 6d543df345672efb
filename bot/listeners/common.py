"""Helpers the listeners share: the bot context, cached cards, one-line answers, posting."""

from __future__ import annotations

import logging
from typing import Any

import sqlite_utils
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from analysis import rows
from analysis.lookup import Lookup
from analysis.models import DigestEntry
from bot.context import CONTEXT_KEY, Context
from bot.poster import send
from bot.slack.mrkdwn import escape, truncate
from storage.analyses import get_analysis
from storage.commits import get_commit, get_files

log = logging.getLogger(__name__)
LINE_CHARS = 300
MAX_CANDIDATES = 10


def app_ctx(context: AsyncBoltContext) -> Context:
    """The bot's context, put on every request by the app's middleware."""
    return context[CONTEXT_KEY]


def one_line(text: str) -> str:
    """Untrusted text as one short, escaped, mention-free line."""
    return truncate(escape(" ".join(str(text).split())), LINE_CHARS)


def load_entry(db: sqlite_utils.Database, value: str) -> DigestEntry | None:
    """The stored commit and analysis named by a button value `repo@sha`, or None."""
    repo, _, sha = value.rpartition("@")
    row = get_commit(db, repo, sha)
    arow = get_analysis(db, repo, sha)
    if row is None or arow is None:
        return None
    commit = rows.commit_from_rows(row, get_files(db, repo, sha))
    return DigestEntry(commit, rows.analysis_from_row(arow))


def lookup_text(result: Lookup) -> str:
    """The one-line (or short list) answer for a lookup that found no single commit."""
    if result.kind == "ambiguous" and result.candidates:
        lines = [one_line(result.message or "That prefix matches several commits:")]
        for c in result.candidates[:MAX_CANDIDATES]:
            lines.append(
                f"• `{c['sha'][:12]}` {one_line(c.get('repo') or '')}: {one_line(c.get('title') or '')}"
            )
        if len(result.candidates) > MAX_CANDIDATES:
            lines.append(f"… and {len(result.candidates) - MAX_CANDIDATES} more")
        return "\n".join(lines)
    return one_line(result.message or "No such commit.")


async def post_message(client: AsyncWebClient, channel: str, **kwargs: Any) -> dict:
    """chat.postMessage through the poster's send: on `not_in_channel` it joins and retries once."""
    return await send(client, "chat_postMessage", channel, **kwargs)
