"""Button actions: "Full analysis" on digest cards and unfurls, "Share in channel", and the Home tab's buttons."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.listeners.actions.buttons import full_analysis, share_card
from bot.listeners.actions.home import home_help, home_post_digest
from bot.listeners.actions.unfurl import unfurl_full_analysis
from bot.slack.home import HELP_ACTION, POST_NOW_ACTION
from bot.slack.unfurl import FULL_ANALYSIS_ACTION


def register(app: AsyncApp) -> None:
    """Wire the buttons."""
    app.action("full_analysis")(full_analysis)
    app.action("share_card")(share_card)
    app.action(FULL_ANALYSIS_ACTION)(unfurl_full_analysis)
    app.action(POST_NOW_ACTION)(home_post_digest)
    app.action(HELP_ACTION)(home_help)
