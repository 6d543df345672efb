"""The Home tab's and the unfurl's buttons called directly."""

from __future__ import annotations

import asyncio

from bot import subscriptions
from bot.listeners.actions.home import home_help, home_post_digest
from bot.listeners.actions.unfurl import unfurl_full_analysis
from bot.slack.home import HELP_ACTION, POST_NOW_ACTION
from bot.slack.unfurl import FULL_ANALYSIS_ACTION
from tests.fakes.digests import REPO, SHA, seed_commit

LINK_TS = "1769250000.000300"


def pressed(action_id: str, value: str) -> dict:
    return {"user": {"id": "U1"}, "actions": [{"action_id": action_id, "value": value}]}


async def test_help_is_sent_to_the_user(ack, context, client) -> None:
    await home_help(ack, pressed(HELP_ACTION, "help"), client, context)
    [post] = client.calls_to("chat_postMessage")
    assert ack.calls == [{}] and post["channel"] == "U1" and "/digest run" in post["text"]


async def test_post_now_is_refused_to_someone_outside_the_channel(ack, context, ctx, client) -> None:
    subscriptions.subscribe(ctx.db, subscriptions.Subscription("C1", "o/r"))
    await home_post_digest(ack, pressed(POST_NOW_ACTION, "C1"), client, context)
    assert ack.calls == [{}]
    await asyncio.gather(*ctx.tasks)
    [post] = client.calls_to("chat_postMessage")
    assert post["channel"] == "U1" and "not in that channel" in post["text"]
    assert client.calls_to("chat_postEphemeral") == []


async def test_unfurl_full_analysis_posts_once_in_the_links_thread(
    ack, respond, context, ctx, client
) -> None:
    seed_commit(ctx.db)
    body = pressed(FULL_ANALYSIS_ACTION, f"{REPO}@{SHA}")
    body["container"] = {"type": "message_attachment", "channel_id": "C1", "message_ts": LINK_TS}
    for _ in range(2):
        await unfurl_full_analysis(ack, body, client, respond, context)
    [post] = client.calls_to("chat_postMessage")
    assert post["thread_ts"] == LINK_TS and "Move fa4" in post["text"]
    assert len(respond.texts) == 2 and all("in the thread" in t for t in respond.texts)


async def test_unfurl_full_analysis_of_an_unknown_commit_says_so(ack, respond, context, client) -> None:
    body = pressed(FULL_ANALYSIS_ACTION, f"{REPO}@{SHA}")
    body["container"] = {"type": "message_attachment", "channel_id": "C1", "message_ts": LINK_TS}
    await unfurl_full_analysis(ack, body, client, respond, context)
    assert client.calls_to("chat_postMessage") == [] and "no longer in the cache" in respond.texts[0]


async def test_post_now_for_a_channel_that_follows_nothing_is_refused(ack, context, ctx, client) -> None:
    await home_post_digest(ack, pressed(POST_NOW_ACTION, "C1"), client, context)
    await asyncio.gather(*ctx.tasks)
    [post] = client.calls_to("chat_postMessage")
    assert post["channel"] == "U1" and "follows no repository" in post["text"]
    assert client.calls_to("users_conversations") == []
