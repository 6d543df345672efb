"""Slack listeners, one folder per kind: commands, actions (buttons) and events."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.listeners import actions, commands, events


def register(app: AsyncApp) -> None:
    """Wire every listener to the app."""
    commands.register(app)
    actions.register(app)
    events.register(app)
