"""app_home_opened called directly: the Home tab is published for the home tab only."""

from __future__ import annotations

from bot import subscriptions
from bot.listeners.events.app_home import app_home_opened


async def test_opening_the_home_tab_publishes_the_view(context, ctx, client) -> None:
    subscriptions.subscribe(ctx.db, subscriptions.Subscription("C1", "o/r"))
    await app_home_opened({"type": "app_home_opened", "user": "U1", "tab": "home"}, client, context)
    [call] = client.calls_to("views_publish")
    assert call["user_id"] == "U1" and call["view"]["type"] == "home"
    assert "o/r" in str(call["view"]["blocks"]) and "<#C1>" in str(call["view"]["blocks"])
    [listing] = client.calls_to("users_conversations")
    assert listing["user"] == "U1" and listing["types"] == "public_channel,private_channel"


async def test_the_messages_tab_publishes_nothing(context, client) -> None:
    await app_home_opened({"type": "app_home_opened", "user": "U1", "tab": "messages"}, client, context)
    assert client.calls == []
