"""Events: mentions of the bot."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.listeners.events.app_mention import app_mention


def register(app: AsyncApp) -> None:
    """Wire the events."""
    app.event("app_mention")(app_mention)
