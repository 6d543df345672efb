"""Slash commands: /commit and /digest."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.listeners.commands.commit import commit_command
from bot.listeners.commands.digest import digest_command


def register(app: AsyncApp) -> None:
    """Wire the slash commands."""
    app.command("/commit")(commit_command)
    app.command("/digest")(digest_command)
