"""The "Full analysis" button of an unfurled commit link: the full card in the thread of that message."""

from __future__ import annotations

import logging

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from analysis.strings import t
from bot.listeners.actions.buttons import thread_link
from bot.listeners.common import app_ctx
from bot.unfurls import post_full_card

log = logging.getLogger(__name__)


def _where(body: dict) -> tuple[str | None, str | None]:
    """The channel and the message the unfurl (and so the button) sits on."""
    container = body.get("container") or {}
    channel = container.get("channel_id") or (body.get("channel") or {}).get("id")
    return channel, container.get("message_ts") or (body.get("message") or {}).get("ts")


async def unfurl_full_analysis(
    ack: AsyncAck, body: dict, client: AsyncWebClient, respond: AsyncRespond, context: AsyncBoltContext
) -> None:
    """Post the commit's full card in the thread of the message with the link (once), and point to it."""
    await ack()
    value = body["actions"][0].get("value", "")
    channel, message_ts = _where(body)
    ctx = app_ctx(context)
    lang = ctx.settings.digest_language
    try:
        if not channel or not message_ts:
            raise ValueError("the button's message is unknown")
        ts = await post_full_card(ctx, client, channel, message_ts, value)
        if ts is None:
            text = t(lang, "analysis_gone")
        else:
            link = (await client.chat_getPermalink(channel=channel, message_ts=ts)).get("permalink")
            text = thread_link(link, lang)
    except Exception as e:
        log.exception("the full analysis of %s could not be posted", value[:100])
        text = t(lang, "post_failed", error=type(e).__name__)
    try:
        await respond(text=text, response_type="ephemeral", replace_original=False)
    except Exception:
        log.exception("could not answer a button press")
