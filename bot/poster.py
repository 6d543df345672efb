"""Post a digest exactly once per channel and day, thread its analyses, raise and clear alerts.

The delivery record (`digests`, key `channel:date`) is written before anything is posted and after
every message: `message_ts` is the thread parent (the first message), and `replies` maps
`part:<i>` to the ts of each digest message and each commit SHA to the ts of its thread reply.
A later call resumes from that record and never posts a part or a reply twice. Every message carries
metadata naming its delivery and item, so when an earlier attempt was interrupted after Slack accepted a
message but before its ts was recorded, the resumed delivery finds that message in the channel history (or
the thread) instead of posting it again.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import random
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import sqlite_utils
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.state import RetryState
from slack_sdk.web.async_client import AsyncWebClient

from analysis.models import Digest, DigestEntry, Importance
from bot.slack.blocks import SECTION_CHARS, SlackMessage, card_reply_blocks, digest_messages, is_empty
from bot.slack.mrkdwn import escape, truncate
from storage.db import now
from storage.deliveries import active_alerts, get_alert, get_digest, save_alert, save_digest

log = logging.getLogger(__name__)

REPLY_PAUSE = 1.1  # chat.postMessage allows about one message a second per channel
MAX_RETRY_AFTER = 120.0  # longer waits end the attempt; the delivery resumes on the next run
EVENT_TYPE = "commit_digest"  # the metadata event type of every digest message and thread reply
HISTORY_MARGIN = 300  # seconds of channel history searched before the delivery record was created
HISTORY_PAGES = 5  # pages of 200 messages searched for an interrupted delivery's messages
MAYBE_ACCEPTED = ("fatal_error", "internal_error", "request_timeout", "service_unavailable")
HINTS = {
    "channel_not_found": "the channel does not exist or the app cannot see it; check the channel ID",
    "is_archived": "the channel is archived",
    "not_in_channel": "the app is not in the channel and could not join it; /invite it",
    "invalid_auth": "Slack rejected SLACK_BOT_TOKEN",
    "not_authed": "no Slack token was sent; set SLACK_BOT_TOKEN",
    "token_revoked": "SLACK_BOT_TOKEN was revoked; reinstall the app",
    "account_inactive": "the app's account is inactive; reinstall the app",
    "missing_scope": "the app lacks a scope; reinstall it from slack-manifest.yaml",
    "ratelimited": "Slack kept rate-limiting the app",
}


class PostError(Exception):
    """Slack refused a call; `code` is Slack's error code (e.g. channel_not_found)."""

    def __init__(self, code: str) -> None:
        super().__init__(f"{code}: {HINTS[code]}" if code in HINTS else code)
        self.code = code


@dataclass
class PostResult:
    """What `post_digest` did for one channel and day."""

    key: str
    status: str  # posted | already_posted | skipped | failed
    message_ts: str | None = None
    replies: dict[str, str] = field(default_factory=dict)
    error: str | None = None  # a one-line reason when status is failed
    posted: int = 0  # messages posted by this call

    @property
    def ok(self) -> bool:
        """True unless the delivery failed."""
        return self.status != "failed"


class RetryAfterHandler(AsyncRateLimitErrorRetryHandler):
    """Retries a 429 after the whole Retry-After value (slack_sdk's own reads only its first digit)."""

    async def prepare_for_next_attempt_async(self, *, state, request, response=None, error=None) -> None:
        """Sleep for Retry-After seconds (capped, with a little jitter), then count the attempt."""
        if response is None:
            raise error  # type: ignore[misc]
        value = next((v for k, v in response.headers.items() if k.lower() == "retry-after"), None)
        if isinstance(value, list | tuple):
            value = value[0] if value else None
        try:
            delay = min(float(value), MAX_RETRY_AFTER) if value is not None else 1.0
        except ValueError:
            delay = 1.0
        state.next_attempt_requested = True
        await asyncio.sleep(max(delay, 0.0) + random.random() * 0.25)
        state.increment_current_attempt()


class ConnectionRetryHandler(AsyncConnectionErrorRetryHandler):
    """Retries connection errors, except a chat.postMessage that may already have reached Slack."""

    async def _can_retry_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: Any = None,
        error: Exception | None = None,
    ) -> bool:
        """True for a retryable connection error, unless a posted message could be duplicated."""
        if request.url.endswith("/chat.postMessage") and not isinstance(error, aiohttp.ClientConnectorError):
            return False
        return await super()._can_retry_async(state=state, request=request, response=response, error=error)


def make_client(token: str, base_url: str | None = None) -> AsyncWebClient:
    """An AsyncWebClient that honours 429 Retry-After and retries connection errors."""
    handlers = [
        RetryAfterHandler(max_retry_count=5),
        ConnectionRetryHandler(max_retry_count=3),
    ]
    if base_url:
        return AsyncWebClient(token=token, base_url=base_url.rstrip("/") + "/", retry_handlers=handlers)
    return AsyncWebClient(token=token, retry_handlers=handlers)


async def _call(client: AsyncWebClient, method: str, **kwargs: Any) -> dict[str, Any]:
    """One Web API call; Slack and connection errors become PostError."""
    try:
        resp = await getattr(client, method)(**kwargs)
    except SlackApiError as e:
        raise PostError(str(e.response.get("error") or f"http_{e.response.status_code}")) from None
    except (SlackClientError, aiohttp.ClientError, TimeoutError) as e:
        raise PostError(f"connection_error ({type(e).__name__})") from None
    return dict(resp.data) if isinstance(resp.data, dict) else {}


async def send(client: AsyncWebClient, method: str, channel: str, **kwargs: Any) -> dict[str, Any]:
    """A chat call in `channel`; on not_in_channel, join and retry once."""
    try:
        return await _call(client, method, channel=channel, **kwargs)
    except PostError as e:
        if e.code != "not_in_channel":
            raise
    await _call(client, "conversations_join", channel=channel)
    return await _call(client, method, channel=channel, **kwargs)


async def _post(
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
        data = await send(client, "chat_postMessage", channel, blocks=msg.blocks, **kwargs)
    except PostError as e:
        if e.code not in ("invalid_blocks", "msg_blocks_too_long"):
            raise
        log.warning("Slack rejected the blocks of a message in %s; posting its text only", channel)
        data = await send(client, "chat_postMessage", channel, **kwargs)
    return str(data["ts"])


def _metadata(key: str, item: str) -> dict[str, Any]:
    """The message metadata that names a digest message (`part:<i>`) or thread reply (a SHA)."""
    return {"event_type": EVENT_TYPE, "event_payload": {"key": key, "item": item}}


def _interrupted(row: dict[str, Any]) -> bool:
    """True when an earlier attempt may have left a message in Slack without recording its ts."""
    error = row.get("error") or ""
    if row.get("status") == "posting":
        return True  # the process stopped mid-delivery
    return row.get("status") == "failed" and (
        error in MAYBE_ACCEPTED or error.startswith(("connection_error", "http_5"))
    )


def _oldest(created_at: str | None) -> str | None:
    """The `oldest` bound of a history search: a little before the delivery record was created."""
    try:
        return str(int(dt.datetime.fromisoformat(created_at or "").timestamp()) - HISTORY_MARGIN)
    except ValueError:
        return None


async def _find_posted(
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
        data = await _call(client, method, **kwargs)
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

    def __init__(self, client: AsyncWebClient, channel: str, key: str, row: dict[str, Any]) -> None:
        self.client, self.channel, self.key = client, channel, key
        self.enabled = _interrupted(row)
        self.oldest = _oldest(row.get("created_at"))
        self.found: dict[str | None, dict[str, str]] = {}  # thread ts (None: the channel) -> item -> ts

    async def ts(self, item: str, thread_ts: str | None = None) -> str | None:
        """The ts of `item` if an earlier attempt posted it, else None (always None on a first attempt)."""
        if not self.enabled:
            return None
        if thread_ts not in self.found:
            try:
                self.found[thread_ts] = await _find_posted(
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


def _threaded(digest: Digest, thread_level: str) -> list[tuple[str | None, DigestEntry]]:
    """(repository URL, entry) of each commit whose full analysis goes in the thread."""
    levels = {Importance.HIGH} | ({Importance.MEDIUM} if thread_level == "medium" else set())
    return [(r.url, e) for r in digest.repos for e in r.entries if e.analysis.importance in levels]


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
    key = f"{channel}:{digest.date}"
    row = get_digest(db, key) or {}
    if row.get("status") in ("posted", "skipped"):
        return PostResult(key, "already_posted", row.get("message_ts"), row.get("replies") or {})
    record = {
        "key": key,
        "channel": channel,
        "date": digest.date,
        "repos": [r.repo for r in digest.repos],
        "shas": [e.commit.sha for r in digest.repos for e in r.entries],
    }
    if is_empty(digest) and empty_day == "none":
        save_digest(db, {**record, "status": "skipped", "error": None})
        return PostResult(key, "skipped")
    replies: dict[str, str] = dict(row.get("replies") or {})
    recovery = _Recovery(client, channel, key, row)
    save_digest(db, {**record, "status": "posting", "replies": replies})
    posted = 0
    try:
        for i, msg in enumerate(digest_messages(digest)):
            item = f"part:{i}"
            if item in replies:
                continue
            if not (ts := await recovery.ts(item)):
                ts = await _post(client, channel, msg, metadata=_metadata(key, item))
                posted += 1
            replies[item] = ts
            save_digest(db, {"key": key, "replies": replies, "message_ts": replies["part:0"]})
        for repo_url, entry in _threaded(digest, thread_level):
            sha, parent = entry.commit.sha, replies["part:0"]
            if sha in replies:
                continue
            if not (ts := await recovery.ts(sha, thread_ts=parent)):
                if posted:
                    await asyncio.sleep(pause)
                msg = card_reply_blocks(entry, repo_url, language=digest.language)
                ts = await _post(client, channel, msg, thread_ts=parent, metadata=_metadata(key, sha))
                posted += 1
            replies[sha] = ts
            save_digest(db, {"key": key, "replies": replies})
    except PostError as e:
        log.warning("the digest %s could not be posted: %s", key, e.code)
        save_digest(db, {"key": key, "status": "failed", "error": e.code, "replies": replies})
        return PostResult(key, "failed", replies.get("part:0"), replies, error=str(e), posted=posted)
    save_digest(db, {"key": key, "status": "posted", "error": None, "replies": replies})
    return PostResult(key, "posted", replies["part:0"], replies, posted=posted)


async def post_alert(
    client: AsyncWebClient, db: sqlite_utils.Database, channel: str, kind: str, text: str
) -> str | None:
    """Post one alert of `kind` in `channel` unless one is already up; return its ts, or None."""
    row = get_alert(db, channel, kind)
    if row and row["status"] == "active" and row["message_ts"]:
        return row["message_ts"]
    fresh = not (row and row["status"] == "active")
    save_alert(
        db,
        {"channel": channel, "kind": kind, "text": text, "status": "active", "message_ts": None}
        | ({"created_at": now()} if fresh else {}),
    )
    body = truncate(f"⚠️ *commit-digest alert ({escape(kind)})*\n{escape(text)}", SECTION_CHARS)
    try:
        data = await send(client, "chat_postMessage", channel, text=body, unfurl_links=False)
    except PostError as e:
        log.warning("the %s alert could not be posted in %s: %s", kind, channel, e.code)
        return None
    save_alert(db, {"channel": channel, "kind": kind, "message_ts": str(data["ts"])})
    return str(data["ts"])


async def clear_alerts(
    client: AsyncWebClient, db: sqlite_utils.Database, channel: str, kinds: list[str]
) -> list[str]:
    """Mark the active alerts of these kinds resolved and edit their messages; return the kinds."""
    cleared = []
    for row in active_alerts(db, channel):
        if row["kind"] not in kinds:
            continue
        if row["message_ts"]:
            text = truncate(
                f"✅ Resolved ({escape(row['kind'])}): {escape(row['text'] or '')}", SECTION_CHARS
            )
            try:
                await send(client, "chat_update", channel, ts=row["message_ts"], text=text)
            except PostError as e:
                log.warning(
                    "the %s alert in %s could not be marked resolved: %s", row["kind"], channel, e.code
                )
        save_alert(db, {"channel": channel, "kind": row["kind"], "status": "resolved"})
        cleared.append(row["kind"])
    return cleared
