"""The buttons called directly: "Full analysis" reuses or posts the thread reply; "Share in channel" posts."""

from __future__ import annotations

from analysis.state import Delivery, DeliveryStatus
from analysis.store import deliveries as delivery_store
from bot.listeners.actions.buttons import full_analysis, share_card
from tests.fakes.bolt import FakeWebClient
from tests.fakes.digests import REPO, SHA, seed_commit

PARENT = "1769250000.000100"


def pressed(action_id: str, value: str, message_ts: str | None = PARENT) -> dict:
    body = {"actions": [{"action_id": action_id, "value": value}], "channel": {"id": "C1"}}
    return body | ({"message": {"ts": message_ts}} if message_ts else {})


def record(ctx, replies: dict[str, str]) -> None:
    delivery_store.save_delivery(
        ctx.db, Delivery("C1", "2026-01-24", DeliveryStatus.POSTED, parts=[PARENT], replies=replies)
    )


async def test_a_recorded_reply_is_linked_without_posting(ack, respond, context, ctx, client) -> None:
    seed_commit(ctx.db)
    record(ctx, {SHA: "1769250000.000200"})
    await full_analysis(ack, pressed("full_analysis", f"{REPO}@{SHA}"), client, respond, context)
    assert ack.calls == [{}] and client.calls_to("chat_postMessage") == []
    [link] = client.calls_to("chat_getPermalink")
    assert link == {"channel": "C1", "message_ts": "1769250000.000200"}
    assert respond.texts == [
        "<https://acme.slack.com/archives/C1/p1769250000000200|The full analysis is in the thread.>"
    ]


async def test_a_missing_reply_is_posted_in_the_thread_and_recorded(
    ack, respond, context, ctx, client
) -> None:
    seed_commit(ctx.db)
    record(ctx, {})
    await full_analysis(ack, pressed("full_analysis", f"{REPO}@{SHA}"), client, respond, context)
    [post] = client.calls_to("chat_postMessage")
    assert post["channel"] == "C1" and post["thread_ts"] == PARENT and post["blocks"]
    delivery = delivery_store.get_delivery(ctx.db, "C1", "2026-01-24")
    assert delivery is not None and list(delivery.replies) == [SHA]
    assert client.calls_to("chat_getPermalink")[0]["message_ts"] == delivery.replies[SHA]


async def test_a_commit_no_longer_stored_says_so(ack, respond, context, client) -> None:
    await full_analysis(ack, pressed("full_analysis", f"{REPO}@{SHA}"), client, respond, context)
    assert client.calls == [] and "no longer in the cache" in respond.texts[0]


async def test_share_joins_the_channel_posts_and_deletes_the_ephemeral_card(
    ack, respond, context, ctx
) -> None:
    seed_commit(ctx.db)
    client = FakeWebClient(members=set())
    await share_card(ack, pressed("share_card", f"{REPO}@{SHA}", None), client, respond, context)
    assert [name for name, _ in client.calls] == [
        "chat_postMessage",
        "conversations_join",
        "chat_postMessage",
    ]
    assert respond.calls == [{"delete_original": True}]
