"""The buttons: point to (or post) a commit's full analysis, and share a /commit card."""

from __future__ import annotations

import functools
import logging

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.cards import load_entry, reply_card
from bot.listeners.common import app_ctx
from bot.slack.blocks import card_reply_blocks
from bot.slack.client import post_message
from bot.slack.delivery import thread_reply

log = logging.getLogger(__name__)
NOT_FOUND = "That commit's analysis is no longer in the cache; try `/commit` with its SHA."


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


async def full_analysis(
    ack: AsyncAck, body: dict, client: AsyncWebClient, respond: AsyncRespond, context: AsyncBoltContext
) -> None:
    """Link to the commit's thread reply under the digest, posting it first if it is missing."""
    await ack()
    ctx = app_ctx(context)
    value, channel, parent = _pressed(body)
    sha = value.rpartition("@")[2]
    try:
        card = functools.partial(reply_card, ctx.db, value, ctx.settings.digest_language)
        reply_ts = await thread_reply(client, ctx.db, channel, parent if channel else None, sha, card)
        if reply_ts is None:
            await _say(respond, NOT_FOUND)
            return
        link = (await client.chat_getPermalink(channel=channel, message_ts=reply_ts)).get("permalink")
        await _say(
            respond,
            f"<{link}|The full analysis is in the thread.>"
            if link
            else "The full analysis is in the thread.",
        )
    except Exception as e:
        log.exception("full analysis of %s failed", value)
        await _say(respond, f"Sorry, the full analysis could not be shown ({type(e).__name__}).")


async def share_card(
    ack: AsyncAck, body: dict, client: AsyncWebClient, respond: AsyncRespond, context: AsyncBoltContext
) -> None:
    """Post a /commit card in the channel for everyone."""
    await ack()
    ctx = app_ctx(context)
    value, channel, _ = _pressed(body)
    try:
        entry = load_entry(ctx.db, value)
        if entry is None:
            await _say(respond, NOT_FOUND)
            return
        msg = card_reply_blocks(entry, language=ctx.settings.digest_language)
        await post_message(client, channel, text=msg.text, blocks=msg.blocks)
        await respond(delete_original=True)
    except Exception as e:
        log.exception("sharing %s failed", value)
        await _say(respond, f"Sorry, the card could not be shared ({type(e).__name__}).")
