"""`/digest` called directly: acknowledged with the answer, subscriptions stored, status rendered."""

from __future__ import annotations

from bot.listeners.commands.digest import digest_command
from bot.subscriptions import channel_subscriptions


def command(text: str, channel: str = "C1") -> dict:
    return {"command": "/digest", "text": text, "channel_id": channel, "user_id": "U1"}


async def test_subscribe_then_list_then_unsubscribe(ack, respond, context, ctx) -> None:
    await digest_command(ack, command("subscribe o/r min=medium"), respond, context)
    assert ack.texts[-1].startswith("Subscribed: o/r min=medium")
    assert [(s.repo, s.min_importance.value) for s in channel_subscriptions(ctx.db, "C1")] == [
        ("o/r", "medium")
    ]
    await digest_command(ack, command("list"), respond, context)
    assert "o/r min=medium" in ack.texts[-1]
    await digest_command(ack, command("unsubscribe o/r"), respond, context)
    assert ack.texts[-1] == "Unsubscribed from o/r." and channel_subscriptions(ctx.db, "C1") == []
    assert respond.calls == []  # every answer is the acknowledgement itself


async def test_bad_usage_is_one_line_and_unknown_shows_help(ack, respond, context) -> None:
    await digest_command(ack, command("subscribe not-a-repo"), respond, context)
    assert "is not owner/repo" in ack.texts[-1] and "<!" not in ack.texts[-1]
    await digest_command(ack, command("<!channel> frobnicate"), respond, context)
    text = ack.texts[-1]
    assert (
        text.startswith("Unknown subcommand `&lt;!")
        and "<!channel>" not in text
        and "/digest subscribe" in text
    )


async def test_run_without_subscriptions_answers_with_the_list(ack, respond, context, client) -> None:
    await digest_command(ack, command("run"), respond, context)
    assert ack.texts == ["This channel follows no repository yet. " + ack.texts[0].split(". ", 1)[1]]
    assert client.calls == []


async def test_status_names_the_schedule_and_the_provider(ack, respond, context) -> None:
    await digest_command(ack, command("status"), respond, context)
    [text] = ack.texts
    assert "*Schedule* `0 9 * * 1-5` (UTC)" in text and "none yet in this channel" in text
    assert "no LLM configured" in text
