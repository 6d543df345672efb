"""Button actions: "Full analysis" on digest cards and "Share in channel" on /commit cards."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.listeners.actions.buttons import full_analysis, share_card


def register(app: AsyncApp) -> None:
    """Wire the buttons."""
    app.action("full_analysis")(full_analysis)
    app.action("share_card")(share_card)
