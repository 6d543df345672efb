"""The App Home over signed HTTP events and button presses, against the tests' Slack and GitHub servers."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from analysis.models import Digest, RepoDigest
from analysis.state import Alert, RunRecord, RunStatus
from analysis.store.deliveries import save_alert
from analysis.store.runs import save_run
from bot import subscriptions
from bot.slack.delivery import post_digest
from bot.slack.home import HELP_ACTION, MAX_VIEW_BLOCKS, POST_NOW_ACTION
from storage.db import now
from tests.bot.conftest import eventually
from tests.fakes.digests import REPO, seed_commit
from tests.fakes.github import FakeGitHub
from tests.fakes.slack_surfaces import VIEW_BLOCKS


def home_opened(user: str = "U1", tab: str = "home") -> dict:
    return {"type": "app_home_opened", "user": user, "channel": "D1", "tab": tab, "event_ts": "1.000001"}


def view_text(view: dict) -> str:
    return json.dumps(view["blocks"], ensure_ascii=False)


def buttons(view: dict) -> list[tuple[str, str]]:
    found = [b["accessory"] for b in view["blocks"] if b.get("accessory")]
    found += [e for b in view["blocks"] if b["type"] == "actions" for e in b["elements"]]
    return [(b["action_id"], b["value"]) for b in found]


async def test_home_shows_subscriptions_last_digests_health_and_usage(serve_bot) -> None:
    bot = await serve_bot(
        openai_api_key="sk-test", digest_price_input_per_mtok=1.0, digest_price_output_per_mtok=2.0
    )
    entry = seed_commit(bot.db)
    subscriptions.subscribe(
        bot.db, subscriptions.parse_subscribe("C1", [REPO, "min=medium", "exclude-titles=<!here> bump"])
    )
    subscriptions.subscribe(bot.db, subscriptions.Subscription("C2", "o/r"))
    digest = Digest("2026-01-24", "UTC", repos=[RepoDigest(REPO, [entry], url=f"https://github.com/{REPO}")])
    posted = await post_digest(bot.ctx.client, bot.db, digest, "C1", pause=0)
    save_alert(bot.db, Alert("C1", "provider", "LLM key <@U9> rejected"))
    save_run(
        bot.db,
        RunRecord(
            repo=REPO,
            started_at=now(),
            finished_at=now(),
            status=RunStatus.OK,
            mode="cursor",
            llm_calls=3,
            prompt_tokens=1_000_000,
            completion_tokens=500_000,
        ),
    )
    bot.slack.members = {"C1": {"U1", "U2"}, "C2": {"U2"}}

    await bot.send.event(home_opened("U1"))
    await eventually(lambda: "U1" in bot.slack.home_views)
    view = bot.slack.home_views["U1"]
    assert view["type"] == "home" and [c.error for c in bot.slack.calls_to("views.publish")] == [None]
    text = view_text(view)
    for part in (
        f"{REPO} min=medium exclude-titles=",
        "o/r",
        "<#C1>",
        "<#C2>",
        "2026-01-24",
        "1 commit",
        f"archives/C1/p{posted.message_ts.replace('.', '')}",
        "No digest posted yet",
        "next ",
        "LLM key",
        "3 calls",
        "about $2.00",
    ):
        assert part in text, (part, text[:2000])
    assert buttons(view) == [(POST_NOW_ACTION, "C1"), (HELP_ACTION, "help")]  # U1 is not in C2
    bot.slack.assert_no_mentions()


async def test_the_messages_tab_publishes_nothing(serve_bot) -> None:
    bot = await serve_bot()
    await bot.send.event(home_opened("U1", tab="messages"))
    await bot.send.event(home_opened("U2"))
    await eventually(lambda: "U2" in bot.slack.home_views)
    assert list(bot.slack.home_views) == ["U2"]


async def test_home_stays_within_100_blocks_with_a_more_line(serve_bot) -> None:
    bot = await serve_bot()
    for i in range(70):
        subscriptions.subscribe(bot.db, subscriptions.Subscription(f"C{i:03d}", "o/r"))
    await bot.send.event(home_opened())
    await eventually(lambda: "U1" in bot.slack.home_views)
    view = bot.slack.home_views["U1"]
    assert len(view["blocks"]) <= VIEW_BLOCKS == MAX_VIEW_BLOCKS
    assert "more channels" in view_text(view)
    assert [c.error for c in bot.slack.calls_to("views.publish")] == [None]


async def test_post_now_posts_the_digest_for_a_member_and_refuses_others(serve_bot) -> None:
    with FakeGitHub() as github:
        github.add_repo("o/r")
        github.add_commit(
            "o/r", "Add the MoE dispatcher (#1)", committed_at=datetime.now(UTC) - timedelta(hours=1)
        )
        bot = await serve_bot(github_api_url=github.url)
        subscriptions.subscribe(bot.db, subscriptions.Subscription("C1", "o/r"))
        bot.slack.members = {"C1": {"U1"}}
        await bot.send.action(home_button(POST_NOW_ACTION, "C1", user="U2"))
        await eventually(lambda: bot.slack.top_level("U2"))
        assert "not in that channel" in bot.slack.top_level("U2")[0].text
        assert bot.slack.top_level("C1") == []

        await bot.send.action(home_button(POST_NOW_ACTION, "C1", user="U1"))
        await eventually(lambda: "U1" in bot.slack.home_views)
        [digest] = bot.slack.top_level("C1")
        assert "o/r" in json.dumps(digest.blocks)
        notes = [m.text for m in bot.slack.messages if m.user == "U1"]
        assert notes == ["Building the digest for this channel…", "Digest posted."]
        assert "archives/C1/p" in view_text(bot.slack.home_views["U1"])


async def test_help_button_sends_the_digest_help(serve_bot) -> None:
    bot = await serve_bot()
    await bot.send.action(home_button(HELP_ACTION, "help"))
    await eventually(lambda: bot.slack.top_level("U1"))
    assert "/digest subscribe" in bot.slack.top_level("U1")[0].text


@pytest.mark.parametrize("language", ["zh"])
async def test_home_speaks_the_digest_language(serve_bot, language: str) -> None:
    bot = await serve_bot(digest_language=language)
    await bot.send.event(home_opened())
    await eventually(lambda: "U1" in bot.slack.home_views)
    assert "频道" in view_text(bot.slack.home_views["U1"])


def home_button(action_id: str, value: str, user: str = "U1") -> dict:
    """A block_actions payload for a button on the Home tab, as Slack sends it (no channel, no response_url)."""
    return {
        "type": "block_actions",
        "user": {"id": user, "username": "ada", "team_id": "T1"},
        "api_app_id": "A1",
        "team": {"id": "T1", "domain": "test"},
        "container": {"type": "view", "view_id": "V1"},
        "view": {"id": "V1", "type": "home", "hash": "1.1"},
        "trigger_id": "1.2.3",
        "actions": [
            {"type": "button", "action_id": action_id, "block_id": "b", "value": value, "action_ts": "1.1"}
        ],
    }
