"""What every listener needs: the bot's context, put on each request by the app's middleware."""

from __future__ import annotations

from slack_bolt.context.async_context import AsyncBoltContext

from bot.runtime import CONTEXT_KEY, Context


def app_ctx(context: AsyncBoltContext) -> Context:
    """The bot's context, put on every request by the app's middleware."""
    return context[CONTEXT_KEY]
