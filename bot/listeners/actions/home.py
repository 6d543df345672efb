"""The Home tab's buttons: post a channel's digest now, and show `/digest help`."""

from __future__ import annotations

import logging

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.home_data import post_from_home
from bot.listeners.commands.digest import help_text
from bot.listeners.common import app_ctx
from bot.runtime import Context
from bot.slack.client import post_message

log = logging.getLogger(__name__)


async def _post_from_home(ctx: Context, client: AsyncWebClient, user: str, channel: str) -> None:
    try:
        await post_from_home(ctx, client, user, channel)
    except Exception:
        log.exception("the digest of %s could not be posted from the Home tab", channel)


async def home_post_digest(
    ack: AsyncAck, body: dict, client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    """Acknowledge, then post the channel's digest in the background (for members of the channel only)."""
    await ack()
    user, channel = body["user"]["id"], body["actions"][0].get("value", "")
    ctx = app_ctx(context)
    ctx.spawn(_post_from_home(ctx, client, user, channel))


async def home_help(ack: AsyncAck, body: dict, client: AsyncWebClient, context: AsyncBoltContext) -> None:
    """Send the `/digest help` text to the user in the app's messages."""
    await ack()
    try:
        text = help_text(app_ctx(context).settings.digest_language)
        await post_message(client, body["user"]["id"], text=text)
    except Exception:
        log.exception("could not send the help to %s", body["user"].get("id"))
