"""`/digest overview [owner/repo] [date]`: a past day's overview from the cache, safe and in one answer."""

from __future__ import annotations

from analysis.overview import cache
from analysis.overview.overview_types import AttentionItem, Overview, Theme
from analysis.state import Subscription
from bot.listeners.commands.digest import digest_command
from bot.subscriptions import subscribe
from tests.fakes.digests import REPO, SHA, seed_commit

EVIL = "<!channel> @here <https://evil.example|click>"


def command(text: str, channel: str = "C1") -> dict:
    return {"command": "/digest", "text": text, "channel_id": channel, "user_id": "U1"}


def _store(ctx, date: str, headline: str) -> None:
    seed_commit(ctx.db)
    o = Overview(
        headline=headline,
        themes=[Theme(title="JIT kernels", text="FA4 moves to the JIT package.", commits=[SHA])],
        attention=[AttentionItem(text=f"First request compiles {EVIL}", commits=[SHA])],
        source="llm",
    )
    cache.save(ctx.db, cache.Cached(REPO, date, "fp", o))


async def test_a_named_day_is_answered_from_the_cache(ack, respond, context, ctx) -> None:
    _store(ctx, "2026-01-24", "Kernels move to JIT.")
    _store(ctx, "2026-01-23", "An older day.")
    await digest_command(ack, command(f"overview {REPO} 2026-01-24"), respond, context)
    text = ack.texts[-1]
    assert "Kernels move to JIT." in text and f"{REPO} · 2026-01-24" in text
    assert text.index("Needs attention") < text.index("JIT kernels")
    assert f"<https://github.com/{REPO}/commit/{SHA}|{SHA[:7]}>" in text
    assert "<!channel>" not in text and "<https://evil" not in text
    await digest_command(ack, command(f"overview {REPO}"), respond, context)  # no date: the latest day
    assert "Kernels move to JIT." in ack.texts[-1]
    assert respond.calls == [] and ctx.client.calls == []


async def test_the_channels_repositories_and_missing_days(ack, respond, context, ctx) -> None:
    await digest_command(ack, command("overview"), respond, context)
    assert "follows no repository" in ack.texts[-1]
    subscribe(ctx.db, Subscription("C1", REPO))
    _store(ctx, "2026-01-24", "Kernels move to JIT.")
    await digest_command(ack, command("overview 2026-01-24"), respond, context)
    assert "Kernels move to JIT." in ack.texts[-1]
    await digest_command(ack, command("overview 2026-01-25"), respond, context)
    assert ack.texts[-1].startswith(f"No overview of {REPO} for 2026-01-25 is stored")


async def test_bad_arguments_get_the_usage_and_help_lists_it(ack, respond, context) -> None:
    await digest_command(ack, command("overview o/r 2026-02-30"), respond, context)
    assert "is not a date" in ack.texts[-1] and "/digest overview [owner/repo] [YYYY-MM-DD]" in ack.texts[-1]
    await digest_command(ack, command("overview a/b c/d"), respond, context)
    assert ack.texts[-1].startswith("Usage: ") and "/digest overview [owner/repo]" in ack.texts[-1]
    await digest_command(ack, command("overview <!channel>"), respond, context)
    assert "<!channel>" not in ack.texts[-1] and "No overview of" in ack.texts[-1]
    await digest_command(ack, command("help"), respond, context)
    assert "/digest overview [owner/repo] [YYYY-MM-DD]" in ack.texts[-1]
