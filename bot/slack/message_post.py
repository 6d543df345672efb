"""Posting one digest message or thread reply, and the metadata and thread selection deliveries share."""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from analysis.models import Digest, DigestEntry, Importance
from bot.slack.blocks import SlackMessage
from bot.slack.client import BlocksRejected, post_message

log = logging.getLogger(__name__)

EVENT_TYPE = "commit_digest"  # the metadata event type of every digest message and thread reply


async def post_blocks(
    client: AsyncWebClient,
    channel: str,
    msg: SlackMessage,
    thread_ts: str | None = None,
    metadata: dict[str, Any] | None = None,
) -> str:
    """Post one message and return its ts; falls back to plain text if Slack rejects the blocks."""
    kwargs: dict[str, Any] = {"text": msg.text, "unfurl_links": False, "unfurl_media": False}
    if metadata:
        kwargs["metadata"] = metadata
    if thread_ts:
        kwargs["thread_ts"] = thread_ts
    try:
        return await post_message(client, channel, blocks=msg.blocks, **kwargs)
    except BlocksRejected:
        log.warning("Slack rejected the blocks of a message in %s; posting its text only", channel)
        return await post_message(client, channel, **kwargs)


def delivery_metadata(key: str, item: str) -> dict[str, Any]:
    """The message metadata that names a digest message (`part:<i>`) or thread reply (a SHA)."""
    return {"event_type": EVENT_TYPE, "event_payload": {"key": key, "item": item}}


def threaded_entries(digest: Digest, thread_level: str) -> list[tuple[str | None, DigestEntry]]:
    """(repository URL, entry) of each commit whose full analysis goes in the thread."""
    levels = {Importance.HIGH} | ({Importance.MEDIUM} if thread_level == "medium" else set())
    return [(r.url, e) for r in digest.repos for e in r.entries if e.analysis.importance in levels]
