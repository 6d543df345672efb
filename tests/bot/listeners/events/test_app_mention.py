"""A mention called directly: the answer goes in the mention's thread."""

from __future__ import annotations

from bot.listeners.events.app_mention import app_mention
from tests.fakes.digests import SHA, seed_commit

HINT = "Mention me with a commit SHA (7+ characters) or a commit URL, and I answer with its analysis."


def mention(text: str, thread_ts: str | None = "1769250000.000100") -> dict:
    event = {"type": "app_mention", "channel": "C1", "user": "U1", "text": text, "ts": "1769250000.000300"}
    return event | ({"thread_ts": thread_ts} if thread_ts else {})


async def test_a_mention_without_a_reference_gets_the_hint_in_its_thread(context, client) -> None:
    await app_mention(mention("<@UBOT> hello"), client, context)
    [post] = client.calls_to("chat_postMessage")
    assert post == {"channel": "C1", "thread_ts": "1769250000.000100", "text": HINT}


async def test_a_mention_of_a_cached_sha_gets_the_card(context, ctx, client) -> None:
    seed_commit(ctx.db)
    await app_mention(mention(f"<@UBOT> what is {SHA[:10]}?", thread_ts=None), client, context)
    [post] = client.calls_to("chat_postMessage")
    assert post["thread_ts"] == "1769250000.000300" and "Move fa4" in post["text"] and post["blocks"]
