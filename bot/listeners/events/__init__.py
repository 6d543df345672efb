"""Events: mentions of the bot, shared commit links, and the App Home opened."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.listeners.events.app_home import app_home_opened
from bot.listeners.events.app_mention import app_mention
from bot.listeners.events.link_shared import link_shared


def register(app: AsyncApp) -> None:
    """Wire the events."""
    app.event("app_mention")(app_mention)
    app.event("link_shared")(link_shared)
    app.event("app_home_opened")(app_home_opened)
