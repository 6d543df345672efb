"""`link_shared`: commit links of watched repositories unfurl into compact analysis cards."""

from __future__ import annotations

import logging

from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.listeners.common import app_ctx
from bot.unfurls import unfurl_links

log = logging.getLogger(__name__)


async def link_shared(event: dict, body: dict, client: AsyncWebClient, context: AsyncBoltContext) -> None:
    """Unfurl the shared commit links (Bolt has acknowledged the event; a slow lookup delays only the card)."""
    try:
        await unfurl_links(app_ctx(context), client, event, body.get("event_id"))
    except Exception:
        log.exception("could not unfurl the links shared in %s", event.get("channel"))
