"""The buttons: point to (or post) a commit's full analysis, and share a /commit card."""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from analysis.strings import t
from bot.cards import reply_card
from bot.listeners.common import app_ctx
from bot.runtime import Context
from bot.slack.client import post_message
from bot.slack.delivery import thread_reply

log = logging.getLogger(__name__)


async def _say(respond: AsyncRespond, text: str) -> None:
    try:
        await respond(text=text, response_type="ephemeral", replace_original=False)
    except Exception:
        log.exception("could not answer a button press")


def _pressed(body: dict) -> tuple[str, str | None, str | None]:
    """The button's value, its channel, and the message it sits on."""
    value = body["actions"][0].get("value", "")
    channel = (body.get("channel") or {}).get("id") or body.get("container", {}).get("channel_id")
    message = (body.get("message") or {}).get("ts") or body.get("container", {}).get("message_ts")
    return value, channel, message


def thread_link(link: str | None, language: str) -> str:
    """The answer pointing to a full analysis in a thread: a link when Slack gave its permalink."""
    text = t(language, "in_thread")
    return f"<{link}|{text}>" if link else text


async def _answer(
    respond: AsyncRespond, body: dict, failure: tuple[str, str], language: str, work: Awaitable[str | None]
) -> None:
    """Await the button's work and say its answer (if any); a failure is one polite line, logged in full.

    `failure` is what failed, for the log, and the key of the polite line.
    """
    try:
        text = await work
    except Exception as e:
        log.exception("%s: %s", failure[0], _pressed(body)[0])
        text = t(language, failure[1], error=type(e).__name__)
    if text:
        await _say(respond, text)


async def _link_reply(ctx: Context, client: AsyncWebClient, body: dict) -> str:
    value, channel, parent = _pressed(body)
    card = functools.partial(reply_card, ctx.db, value, ctx.settings.digest_language, ctx.watched())
    reply_ts = await thread_reply(
        client, ctx.db, channel, parent if channel else None, value.rpartition("@")[2], card
    )
    if reply_ts is None:
        return t(ctx.settings.digest_language, "analysis_gone")
    link = (await client.chat_getPermalink(channel=channel, message_ts=reply_ts)).get("permalink")
    return thread_link(link, ctx.settings.digest_language)


async def _share(ctx: Context, client: AsyncWebClient, respond: AsyncRespond, body: dict) -> str | None:
    value, channel, _ = _pressed(body)
    msg = reply_card(ctx.db, value, ctx.settings.digest_language, ctx.watched())
    if msg is None:
        return t(ctx.settings.digest_language, "analysis_gone")
    await post_message(client, channel, text=msg.text, blocks=msg.blocks)
    await respond(delete_original=True)
    return None


async def full_analysis(
    ack: AsyncAck, body: dict, client: AsyncWebClient, respond: AsyncRespond, context: AsyncBoltContext
) -> None:
    """Link to the commit's thread reply under the digest, posting it first if it is missing."""
    await ack()
    ctx = app_ctx(context)
    work = _link_reply(ctx, client, body)
    failure = ("the full analysis could not be shown", "show_failed")
    await _answer(respond, body, failure, ctx.settings.digest_language, work)


async def share_card(
    ack: AsyncAck, body: dict, client: AsyncWebClient, respond: AsyncRespond, context: AsyncBoltContext
) -> None:
    """Post a /commit card in the channel for everyone."""
    await ack()
    ctx = app_ctx(context)
    work = _share(ctx, client, respond, body)
    await _answer(
        respond, body, ("the card could not be shared", "share_failed"), ctx.settings.digest_language, work
    )
