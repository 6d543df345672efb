"""The week in one Slack post, posted once per channel and week (across restarts and processes), like the daily
digest: a claim while posting, a delivery record keyed by the week, and message metadata to find an interrupted
post instead of posting it twice."""

from __future__ import annotations

import logging

import sqlite_utils
from slack_sdk.models.blocks import (
    Block,
    ContextBlock,
    HeaderBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)
from slack_sdk.web.async_client import AsyncWebClient

from analysis.claims import digest_claim, held
from analysis.facts import short
from analysis.state import Delivery, DeliveryStatus
from analysis.store import deliveries as delivery_store
from analysis.strings import t
from analysis.weekly.render import outcome_text, title_text
from analysis.weekly.week_types import Week
from bot.slack.blocks import MESSAGE_CHARS, SlackMessage
from bot.slack.client import PostError
from bot.slack.delivery import PostStatus, find_posted, oldest_ts, was_interrupted
from bot.slack.message_post import delivery_metadata, post_blocks
from bot.slack.mrkdwn import escape, truncate

log = logging.getLogger(__name__)
SECTION_CHARS = 3000
MAX_ITEMS = 8  # attention items and days shown per repository
ITEM = "week"  # the one item of a week's delivery


def week_target(channel: str) -> str:
    """The delivery-record channel of a channel's weekly posts (kept apart from its daily digests)."""
    return f"{channel}#week"


def _week_text(w: Week, lang: str, named: bool) -> str:
    o = w.overview
    counts = t(lang, "wk_counts", **{k: o.counts.get(k, 0) for k in ("total", "high", "medium", "low")})
    lines = [f"*{escape(short(w.name, 100))}*"] if named else []
    lines += [f"*{escape(short(o.headline, 300))}*", counts]
    if o.attention:
        lines.append(f"*⚠️ {t(lang, 'wk_attention')}*")
        for a in o.attention[:MAX_ITEMS]:
            shas = ", ".join(f"`{s[:7]}`" for s in a.commits[:3])
            lines.append(
                f"• {a.day}: {escape(short(a.text, 240))} ({shas}) — _{outcome_text(a, lang, lambda s: f'`{s[:7]}`')}_"
            )
    if o.themes:
        lines.append(f"*{t(lang, 'ov_themes')}*")
        lines += [
            f"• *{escape(short(th.title, 100))}*{t(lang, 'colon')}{escape(short(th.text, 240))}"
            for th in o.themes
        ]
    return "\n".join(lines)


def week_message(weeks: list[Week], lang: str) -> SlackMessage:
    """The week of every repository in one message, within Slack's block and text limits."""
    title = title_text(weeks[0], lang) if weeks else ""
    blocks: list[Block] = [HeaderBlock(text=PlainTextObject(text=truncate(title, 150)))]
    room = MESSAGE_CHARS - len(title) - 200
    for w in weeks[:40]:
        text = truncate(_week_text(w, lang, len(weeks) > 1), min(SECTION_CHARS, max(room, 0)))
        if room <= 200:
            break
        room -= len(text)
        blocks.append(SectionBlock(text=MarkdownTextObject(text=text)))
        if w.overview.source == "heuristic":
            blocks.append(ContextBlock(elements=[MarkdownTextObject(text=f"ℹ️ {t(lang, 'wk_heuristic')}")]))
    return SlackMessage(text=truncate(title, 3000), blocks=[b.to_dict() for b in blocks[:50]])


async def post_week(
    client: AsyncWebClient, db: sqlite_utils.Database, channel: str, week: str, weeks: list[Week], lang: str
) -> PostStatus:
    """Post the week to `channel` once: ALREADY_POSTED when it was, FAILED when Slack refused it."""
    target = week_target(channel)
    async with held(db, digest_claim(target, week)) as mine:
        if not mine:
            return PostStatus.ALREADY_POSTED  # another process is posting it
        record = delivery_store.get_delivery(db, target, week)
        if record is not None and record.status is DeliveryStatus.POSTED:
            return PostStatus.ALREADY_POSTED
        key = f"{target}:{week}"
        if was_interrupted(record):
            assert record is not None
            try:
                found = await find_posted(client, channel, key, oldest=oldest_ts(record.created_at))
            except PostError:
                found = {}
            if ts := found.get(ITEM):
                record.status, record.parts = DeliveryStatus.POSTED, [ts]
                delivery_store.save_delivery(db, record)
                return PostStatus.ALREADY_POSTED
        record = record or Delivery(channel=target, date=week)
        record.status, record.repos = DeliveryStatus.POSTING, [w.repo for w in weeks]
        delivery_store.save_delivery(db, record)
        try:
            ts = await post_blocks(client, channel, week_message(weeks, lang), metadata=delivery_metadata(key, ITEM))
        except PostError as e:
            record.status, record.error = DeliveryStatus.FAILED, str(e)
            delivery_store.save_delivery(db, record)
            log.warning("the week %s could not be posted to %s: %s", week, channel, e)
            return PostStatus.FAILED
        record.status, record.parts, record.error = DeliveryStatus.POSTED, [ts], None
        delivery_store.save_delivery(db, record)
        return PostStatus.POSTED
