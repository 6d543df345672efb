"""`@commit-digest <sha|url>` in any thread: answer in that thread with the commit's card; a question in a
digest or card thread is answered from that thread's evidence (bot/questions.py)."""

from __future__ import annotations

import logging
import re

from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from analysis.lookup import LookupKind, lookup_cached, lookup_commit
from analysis.strings import t
from bot.listeners.common import app_ctx
from bot.questions import thread_question
from bot.slack.answers import lookup_text
from bot.slack.blocks import card_reply_blocks
from bot.slack.client import post_message

log = logging.getLogger(__name__)
_MENTION = re.compile(r"<[@#!][^>]*>")
_REF = re.compile(r"<?(https?://[^\s|>]+)[^\s>]*>?|\b([0-9a-fA-F]{7,40})\b")


def find_ref(text: str) -> str | None:
    """The first commit URL or SHA-like word in a message, or None."""
    m = _REF.search(_MENTION.sub(" ", text or ""))
    return (m.group(1) or m.group(2)) if m else None


async def app_mention(
    event: dict, client: AsyncWebClient, context: AsyncBoltContext, body: dict | None = None
) -> None:
    """Answer a question of a digest or card thread; else look up the SHA or URL in the mention and reply
    with the card in the same thread."""
    ctx = app_ctx(context)
    lang = ctx.settings.digest_language
    channel, thread = event["channel"], event.get("thread_ts") or event["ts"]
    ref = find_ref(event.get("text", ""))
    try:
        if await thread_question(ctx, client, event, (body or {}).get("event_id"), ref):
            return
        if ref is None:
            await post_message(client, channel, thread_ts=thread, text=t(lang, "mention_hint"))
            return
        result = lookup_cached(ctx.db, ref)
        finished = result.entry is not None and result.entry.analysis.finished
        if result.kind in (LookupKind.FOUND, LookupKind.UNKNOWN) and not finished:
            result = await lookup_commit(
                ctx.db, ctx.lookup_config(), ref, watched=ctx.watched(), cached=result
            )
        if result.kind is LookupKind.FOUND and result.entry is not None:
            msg = card_reply_blocks(result.entry, language=lang)
            await post_message(client, channel, thread_ts=thread, text=msg.text, blocks=msg.blocks)
        else:
            await post_message(client, channel, thread_ts=thread, text=lookup_text(result, lang))
    except Exception as e:
        log.exception("mention lookup of %r failed", ref)
        try:
            await post_message(
                client, channel, thread_ts=thread, text=t(lang, "mention_failed", error=type(e).__name__)
            )
        except Exception:
            log.exception("could not answer a mention in %s", channel)
