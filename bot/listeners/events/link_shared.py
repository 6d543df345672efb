"""`link_shared`: commit links of watched repositories unfurl into compact analysis cards."""

from __future__ import annotations

import logging

from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.listeners.common import app_ctx
from bot.runtime import Context
from bot.unfurls import unfurl_links

log = logging.getLogger(__name__)


async def _unfurl(ctx: Context, client: AsyncWebClient, event: dict, event_id: str | None) -> None:
    try:
        await unfurl_links(ctx, client, event, event_id)
    except Exception:
        log.exception("could not unfurl the links shared in %s", event.get("channel"))


async def link_shared(event: dict, body: dict, client: AsyncWebClient, context: AsyncBoltContext) -> None:
    """Unfurl the shared commit links in the background: a slow lookup never delays the event's ack."""
    ctx = app_ctx(context)
    ctx.spawn(_unfurl(ctx, client, event, body.get("event_id")))
