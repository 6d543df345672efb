"""`app_home_opened`: publish the user's Home tab when they open it."""

from __future__ import annotations

import logging

from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.home_data import publish_home
from bot.listeners.common import app_ctx

log = logging.getLogger(__name__)


async def app_home_opened(event: dict, client: AsyncWebClient, context: AsyncBoltContext) -> None:
    """Publish the Home tab (Bolt has acknowledged the event); the Messages tab needs nothing."""
    if event.get("tab", "home") != "home" or not event.get("user"):
        return
    try:
        await publish_home(app_ctx(context), client, event["user"])
    except Exception:
        log.exception("could not publish the Home tab of %s", event.get("user"))
