"""What landed after a channel's digest for the day was posted: posted as a follow-up, never as a second digest."""

from __future__ import annotations

import dataclasses
import logging

import sqlite_utils
from slack_sdk.web.async_client import AsyncWebClient

from analysis.models import Digest
from analysis.state import Delivery
from analysis.store import deliveries as delivery_store
from bot.slack.blocks import card_reply_blocks, digest_messages
from bot.slack.message_post import delivery_metadata, post_blocks, threaded_entries

log = logging.getLogger(__name__)


def new_since(digest: Digest, record: Delivery) -> Digest:
    """The part of `digest` the day's delivery `record` did not cover yet (repositories without news left out)."""
    seen = set(record.shas)
    repos = []
    for rd in digest.repos:
        entries = [e for e in rd.entries if e.commit.sha not in seen]
        if entries:
            repos.append(dataclasses.replace(rd, entries=entries, error=None))
    return dataclasses.replace(digest, repos=repos)


def followup_item(digest: Digest, part: int) -> str:
    """The metadata item naming part `part` of the follow-up with these commits (stable across attempts)."""
    first = next(e.commit.sha for r in digest.repos for e in r.entries)
    return f"more:{first[:12]}:part:{part}"


async def post_followup(
    client: AsyncWebClient, db: sqlite_utils.Database, record: Delivery, digest: Digest, thread_level: str
) -> int:
    """Post the new commits of an already posted day as a new message, their full cards in its thread.

    `record` gains the commits and replies and is saved; returns the number of messages posted.
    """
    posted, parent = 0, None
    for i, msg in enumerate(digest_messages(digest)):
        ts = await post_blocks(
            client, record.channel, msg, metadata=delivery_metadata(record.key, followup_item(digest, i))
        )
        parent = parent or ts
        posted += 1
    for repo_url, entry in threaded_entries(digest, thread_level):
        sha = entry.commit.sha
        if sha in record.replies:
            continue
        msg = card_reply_blocks(entry, repo_url, language=digest.language)
        record.replies[sha] = await post_blocks(
            client, record.channel, msg, thread_ts=parent, metadata=delivery_metadata(record.key, sha)
        )
        posted += 1
        delivery_store.save_delivery(db, record)
    new = [e.commit.sha for r in digest.repos for e in r.entries]
    record.shas = [*record.shas, *new]
    delivery_store.save_delivery(db, record)
    log.info("%s: %d new commits posted as a follow-up", record.key, len(new))
    return posted
