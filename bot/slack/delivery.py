"""Post a digest exactly once per channel and day and thread its analyses: the sole owner of delivery records.

The delivery record (one per channel and day) is written before anything is posted and after every message:
`parts` holds the ts of each top-level digest message (the first is the thread parent) and `replies` maps
each commit SHA to the ts of its thread reply. A later call resumes from that record and never posts a part
or a reply twice. Every message carries metadata naming its delivery and item, so when an earlier attempt was
interrupted after Slack accepted a message but before its ts was recorded, the resumed delivery finds that
message in the channel history (or the thread) instead of posting it again.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import enum
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import sqlite_utils
from slack_sdk.web.async_client import AsyncWebClient

from analysis.models import Digest
from analysis.state import Delivery, DeliveryStatus
from analysis.store import deliveries as delivery_store
from bot.slack.blocks import SlackMessage, card_reply_blocks, digest_messages, is_empty
from bot.slack.client import PostError, call, maybe_accepted, post_message
from bot.slack.followup import new_since, post_followup
from bot.slack.impact_blocks import impact_thread_messages
from bot.slack.message_post import EVENT_TYPE, delivery_metadata, post_blocks, threaded_entries

log = logging.getLogger(__name__)

REPLY_PAUSE = 1.1  # chat.postMessage allows about one message a second per channel
HISTORY_MARGIN = 300  # seconds of channel history searched before the delivery record was created
HISTORY_PAGES = 5  # pages of 200 messages searched for an interrupted delivery's messages


class PostStatus(enum.StrEnum):
    """What one `post_digest` call did."""

    POSTED = "posted"
    ALREADY_POSTED = "already_posted"
    FOLLOWED_UP = "followed_up"  # the day was posted earlier; what is new since went out as a follow-up
    SKIPPED = "skipped"
    FAILED = "failed"


@dataclass
class PostResult:
    """What `post_digest` did for one channel and day."""

    key: str
    status: PostStatus
    message_ts: str | None = None
    replies: dict[str, str] = field(default_factory=dict)  # commit SHA -> thread reply ts
    parts: list[str] = field(default_factory=list)  # ts of each top-level message
    error: str | None = None  # a one-line reason when status is failed
    posted: int = 0  # messages posted by this call

    @property
    def ok(self) -> bool:
        """True unless the delivery failed."""
        return self.status is not PostStatus.FAILED


def was_interrupted(record: Delivery | None) -> bool:
    """True when an earlier attempt may have left a message in Slack without recording its ts."""
    if record is None:
        return False
    if record.status is DeliveryStatus.POSTING:
        return True  # the process stopped mid-delivery
    return record.status is DeliveryStatus.FAILED and maybe_accepted(record.error)


def oldest_ts(created_at: str | None) -> str | None:
    """The `oldest` bound of a history search: a little before the delivery record was created."""
    try:
        return str(int(dt.datetime.fromisoformat(created_at or "").timestamp()) - HISTORY_MARGIN)
    except ValueError:
        return None


async def find_posted(
    client: AsyncWebClient, channel: str, key: str, *, oldest: str | None = None, thread_ts: str | None = None
) -> dict[str, str]:
    """The ts of each item of delivery `key` already in the channel (or the thread of `thread_ts`)."""
    found: dict[str, str] = {}
    kwargs: dict[str, Any] = {"channel": channel, "include_all_metadata": True, "limit": 200}
    if thread_ts:
        method, kwargs["ts"] = "conversations_replies", thread_ts
    else:
        method = "conversations_history"
        if oldest:
            kwargs["oldest"] = oldest
    for _ in range(HISTORY_PAGES):
        data = await call(client, method, **kwargs)
        for m in data.get("messages") or []:
            meta = m.get("metadata") or {}
            payload = meta.get("event_payload") or {}
            item, ts = payload.get("item"), str(m.get("ts") or "")
            if meta.get("event_type") != EVENT_TYPE or payload.get("key") != key or not item or not ts:
                continue
            if item not in found or float(ts) < float(found[item]):  # the first copy, if there are two
                found[str(item)] = ts
        cursor = (data.get("response_metadata") or {}).get("next_cursor")
        if not data.get("has_more") or not cursor:
            break
        kwargs["cursor"] = cursor
    return found


class _Recovery:
    """Finds the messages an interrupted delivery already posted, with one search per kind and run."""

    def __init__(self, client: AsyncWebClient, channel: str, key: str, record: Delivery | None) -> None:
        self.client, self.channel, self.key = client, channel, key
        self.enabled = was_interrupted(record)
        self.oldest = oldest_ts(record.created_at if record else None)
        self.found: dict[str | None, dict[str, str]] = {}  # thread ts (None: the channel) -> item -> ts

    async def ts(self, item: str, thread_ts: str | None = None) -> str | None:
        """The ts of `item` if an earlier attempt posted it, else None (always None on a first attempt)."""
        if not self.enabled:
            return None
        if thread_ts not in self.found:
            try:
                self.found[thread_ts] = await find_posted(
                    self.client, self.channel, self.key, oldest=self.oldest, thread_ts=thread_ts
                )
            except PostError as e:
                log.warning(
                    "could not look for the already posted messages of %s (%s); posting what is unrecorded",
                    self.key,
                    e,
                )
                self.enabled = False
                return None
        return self.found[thread_ts].get(item)


def _result(record: Delivery, status: PostStatus, posted: int = 0, error: str | None = None) -> PostResult:
    first = record.parts[0] if record.parts else record.message_ts
    return PostResult(record.key, status, first, dict(record.replies), list(record.parts), error, posted)


async def post_digest(
    client: AsyncWebClient,
    db: sqlite_utils.Database,
    digest: Digest,
    channel: str,
    *,
    thread_level: str = "high",
    empty_day: str = "quiet",
    pause: float = REPLY_PAUSE,
) -> PostResult:
    """Post the digest and its thread in `channel` once per day, resuming a half-posted one."""
    earlier = delivery_store.get_delivery(db, channel, digest.date)
    if earlier is not None and earlier.status is DeliveryStatus.POSTED:
        news = new_since(digest, earlier)
        if is_empty(news):
            return _result(earlier, PostStatus.ALREADY_POSTED)
        try:
            posted = await post_followup(client, db, earlier, news, thread_level)
        except PostError as e:
            log.warning("the follow-up of %s could not be posted: %s", earlier.key, e.code)
            return _result(earlier, PostStatus.FAILED, error=str(e))
        return _result(earlier, PostStatus.FOLLOWED_UP, posted)
    if earlier is not None and earlier.finished and is_empty(digest):
        return _result(earlier, PostStatus.ALREADY_POSTED)
    record = earlier or Delivery(channel, digest.date)
    record.repos = [r.repo for r in digest.repos]
    record.shas = [e.commit.sha for r in digest.repos for e in r.entries]
    if is_empty(digest) and empty_day == "none":
        record.status, record.error = DeliveryStatus.SKIPPED, None
        delivery_store.save_delivery(db, record)
        return _result(record, PostStatus.SKIPPED)
    recovery = _Recovery(client, channel, record.key, earlier)
    record.status = DeliveryStatus.POSTING
    delivery_store.save_delivery(db, record)
    posted = 0
    try:
        for i, msg in enumerate(digest_messages(digest)):
            if i < len(record.parts):
                continue
            if not (ts := await recovery.ts(f"part:{i}")):
                ts = await post_blocks(
                    client, channel, msg, metadata=delivery_metadata(record.key, f"part:{i}")
                )
                posted += 1
            record.parts.append(ts)
            delivery_store.save_delivery(db, record)
        for n, (text, blocks) in enumerate(impact_thread_messages(digest)):
            key, parent = f"impact:{n}", record.parts[0]
            if key in record.replies:
                continue
            if not (ts := await recovery.ts(key, thread_ts=parent)):
                msg = SlackMessage(text=text, blocks=blocks)
                ts = await post_blocks(
                    client, channel, msg, thread_ts=parent, metadata=delivery_metadata(record.key, key)
                )
                posted += 1
            record.replies[key] = ts
            delivery_store.save_delivery(db, record)
        for repo_url, entry in threaded_entries(digest, thread_level):
            sha, parent = entry.commit.sha, record.parts[0]
            if sha in record.replies:
                continue
            if not (ts := await recovery.ts(sha, thread_ts=parent)):
                if posted:
                    await asyncio.sleep(pause)
                msg = card_reply_blocks(entry, repo_url, language=digest.language)
                ts = await post_blocks(
                    client, channel, msg, thread_ts=parent, metadata=delivery_metadata(record.key, sha)
                )
                posted += 1
            record.replies[sha] = ts
            delivery_store.save_delivery(db, record)
    except PostError as e:
        log.warning("the digest %s could not be posted: %s", record.key, e.code)
        record.status, record.error = DeliveryStatus.FAILED, e.code
        delivery_store.save_delivery(db, record)
        return _result(record, PostStatus.FAILED, posted, error=str(e))
    record.status, record.error = DeliveryStatus.POSTED, None
    delivery_store.save_delivery(db, record)
    return _result(record, PostStatus.POSTED, posted)


async def thread_reply(
    client: AsyncWebClient,
    db: sqlite_utils.Database,
    channel: str,
    message_ts: str | None,
    sha: str,
    card: Callable[[], SlackMessage | None],
) -> str | None:
    """The ts of `sha`'s reply in the thread of digest message `message_ts`, posting and recording it if missing.

    Returns None when the reply is missing and `card()` has nothing to post.
    """
    record = delivery_store.delivery_by_message(db, channel, message_ts) if message_ts else None
    if record is not None and sha in record.replies:
        return record.replies[sha]
    msg = card()
    if msg is None:
        return None
    thread = (record.message_ts if record else None) or message_ts
    ts = await post_message(client, channel, thread_ts=thread, text=msg.text, blocks=msg.blocks)
    if record is not None:
        record.replies[sha] = ts
        delivery_store.save_delivery(db, record)
    return ts
