"""`/commit` called directly: acknowledged first, then answered from the cache."""

from __future__ import annotations

from bot.listeners.commands.commit import commit_command
from tests.fakes.digests import SHA, seed_commit


def command(text: str) -> dict:
    return {"command": "/commit", "text": text, "channel_id": "C1", "user_id": "U1"}


async def test_a_cached_commit_is_acknowledged_then_answered_with_its_card(
    ack, respond, context, ctx
) -> None:
    seed_commit(ctx.db)
    await commit_command(ack, command(SHA[:9]), respond, context)
    assert ack.calls == [{}]  # an empty acknowledgement: the card follows through respond
    [answer] = respond.calls
    assert answer["response_type"] == "ephemeral" and answer["replace_original"] is True
    assert "Move fa4 from sgl-kernel to jit kernel" in answer["text"]
    assert any(b.get("type") == "actions" for b in answer["blocks"])  # the share button


async def test_a_malformed_reference_is_one_line_with_the_usage(ack, respond, context) -> None:
    await commit_command(ack, command("xyz"), respond, context)
    [text] = ack.texts
    assert "Usage: `/commit" in text and "\n" not in text
    assert respond.calls == []


async def test_an_ambiguous_prefix_lists_the_candidates(ack, respond, context, ctx) -> None:
    seed_commit(ctx.db, "abcdef1" + "1" * 33, "First")
    seed_commit(ctx.db, "abcdef1" + "2" * 33, "Second")
    await commit_command(ack, command("abcdef1"), respond, context)
    [text] = ack.texts
    assert "First" in text and "Second" in text and respond.calls == []


async def test_a_url_of_an_unwatched_repository_is_refused_at_once(ack, respond, context) -> None:
    await commit_command(ack, command(f"https://github.com/o/r3/commit/{SHA}"), respond, context)
    [text] = ack.texts
    assert "o/r3 is not watched here" in text and "/digest subscribe o/r3" in text
    assert respond.calls == []


async def test_a_path_in_a_commit_url_is_malformed(ack, respond, context) -> None:
    await commit_command(ack, command(f"https://github.com/../rt/commit/{SHA}"), respond, context)
    [text] = ack.texts
    assert "not a commit URL of a GitHub repository" in text and respond.calls == []
