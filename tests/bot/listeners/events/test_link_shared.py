"""link_shared called directly: watched commit links unfurl once per event; others are left alone."""

from __future__ import annotations

import asyncio

from bot import subscriptions
from bot.listeners.events.link_shared import link_shared
from bot.runtime import CONTEXT_KEY
from bot.slack.unfurl import FULL_ANALYSIS_ACTION
from tests.fakes.digests import REPO, SHA, seed_commit

LINK = f"https://github.com/{REPO}/commit/{SHA}"


async def unfurl(event: dict, event_id: str, client, context) -> None:
    """Call the listener, then wait for the unfurl it started in the background."""
    await link_shared(event, {"event_id": event_id}, client, context)
    await asyncio.gather(*context[CONTEXT_KEY].tasks)


def shared(*urls: str, **extra: str) -> dict:
    event = {
        "type": "link_shared",
        "channel": "C1",
        "user": "U1",
        "message_ts": "1769250000.000300",
        "links": [{"domain": "github.com", "url": u} for u in urls],
    }
    return event | extra


async def test_a_watched_cached_link_unfurls_by_channel_and_ts(context, ctx, client) -> None:
    seed_commit(ctx.db)
    subscriptions.subscribe(ctx.db, subscriptions.Subscription("C7", REPO))
    await unfurl(shared(LINK), "Ev1", client, context)
    [call] = client.calls_to("chat_unfurl")
    assert (call["channel"], call["ts"], list(call["unfurls"])) == ("C1", "1769250000.000300", [LINK])
    blocks = call["unfurls"][LINK]["blocks"]
    assert "Move fa4" in str(blocks)
    assert blocks[-1]["elements"][0]["action_id"] == FULL_ANALYSIS_ACTION


async def test_the_unfurl_id_is_used_when_slack_gives_one_and_the_thread_rides_on_the_button(
    context, ctx, client
) -> None:
    seed_commit(ctx.db)
    subscriptions.subscribe(ctx.db, subscriptions.Subscription("C7", REPO))
    event = shared(LINK, unfurl_id="C1.abc", source="composer", thread_ts="1769250000.000100")
    await unfurl(event, "Ev1", client, context)
    [call] = client.calls_to("chat_unfurl")
    assert (call["unfurl_id"], call["source"]) == ("C1.abc", "composer") and "channel" not in call
    value = call["unfurls"][LINK]["blocks"][-1]["elements"][0]["value"]
    assert value == f"{REPO}@{SHA} 1769250000.000100"


async def test_the_same_event_twice_unfurls_once(context, ctx, client) -> None:
    seed_commit(ctx.db)
    subscriptions.subscribe(ctx.db, subscriptions.Subscription("C7", REPO))
    for _ in range(2):
        await unfurl(shared(LINK), "Ev1", client, context)
    await unfurl(shared(LINK), "Ev2", client, context)
    assert len(client.calls_to("chat_unfurl")) == 2


async def test_unwatched_and_non_commit_links_are_left_alone(context, ctx, client) -> None:
    seed_commit(ctx.db)  # cached, but no channel follows it and DIGEST_REPOS is empty
    event = shared(LINK, f"https://github.com/{REPO}/pull/1", "https://example.com/commit/abcdef1")
    await unfurl(event, "Ev1", client, context)
    assert client.calls == []
