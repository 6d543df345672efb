"""Shared commit links unfurl over signed HTTP events, against the tests' Slack and GitHub servers."""

from __future__ import annotations

import asyncio
import json
import time
from datetime import UTC, datetime

import pytest

from analysis.store import analyses as analysis_store
from bot import subscriptions
from bot.slack.unfurl import FULL_ANALYSIS_ACTION
from tests.bot.conftest import eventually
from tests.fakes.digests import REPO, SHA, seed_commit
from tests.fakes.github import FakeGitHub
from tests.fakes.slack import validate_blocks

LINK = f"https://github.com/{REPO}/commit/{SHA}"
ACK_LIMIT = 3.0  # Slack retries an event not acknowledged within 3 seconds


@pytest.fixture
def github():
    with FakeGitHub() as gh:
        gh.add_repo("o/r")
        gh.add_repo("other/unwatched")
        yield gh


def card_text(unfurl: dict) -> str:
    return json.dumps(unfurl["blocks"], ensure_ascii=False)


async def test_a_watched_cached_commit_link_unfurls_once_into_its_card(serve_bot) -> None:
    bot = await serve_bot(digest_repos=REPO)
    seed_commit(bot.db)
    event = bot.slack.share_links("C1", [LINK])
    assert (await bot.send.event(event)).status_code == 200
    await eventually(lambda: bot.slack.accepted_unfurls())
    [unfurls] = bot.slack.accepted_unfurls()
    assert list(unfurls) == [LINK]
    assert validate_blocks(unfurls[LINK]["blocks"]) is None
    text = card_text(unfurls[LINK])
    assert "Move fa4 from sgl-kernel to jit kernel" in text and "refactor" in text
    assert "Moves the FA4 kernel" in text and "Drops the sgl-kernel build step" in text
    buttons = [e for b in unfurls[LINK]["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert [(b["action_id"], b["value"]) for b in buttons] == [(FULL_ANALYSIS_ACTION, f"{REPO}@{SHA}")]
    assert len(bot.slack.calls_to("chat.unfurl")) == 1


async def test_an_unwatched_link_is_left_alone_without_asking_github(serve_bot, github) -> None:
    bot = await serve_bot(github_api_url=github.url, digest_repos="o/r")
    commit = github.add_commit("other/unwatched", "Secret change")
    seed_commit(bot.db, repo="other/cached")  # cached, yet not watched either
    links = [
        f"https://github.com/other/unwatched/commit/{commit.sha}",
        f"https://github.com/other/cached/commit/{SHA}",
        "https://github.com/o/r/issues/1",  # not a commit
    ]
    await bot.send.event(bot.slack.share_links("C1", links))
    await bot.send.event(bot.slack.share_links("C1", [f"https://github.com/o/r/commit/{SHA[:7]}"]))
    await asyncio.sleep(0.5)
    assert bot.slack.calls_to("chat.unfurl") == []
    assert github.requests_to("/repos/other") == []


async def test_a_retried_event_unfurls_once_even_while_the_first_is_still_fetching(serve_bot, github) -> None:
    bot = await serve_bot(github_api_url=github.url)
    subscriptions.subscribe(bot.db, subscriptions.Subscription("C9", "o/r"))
    commit = github.add_commit("o/r", "Add the MoE dispatcher (#42)", committed_at=datetime.now(UTC))
    github.add_fault(rf"/commits/{commit.sha[:12]}", delay=1.0)  # GitHub answers slower than Slack waits
    url = f"https://github.com/o/r/commit/{commit.sha[:12]}"
    event = bot.slack.share_links("C1", [url])
    start = time.monotonic()
    assert (await bot.send.event(event, event_id="Ev42")).status_code == 200
    assert time.monotonic() - start < ACK_LIMIT / 3  # acknowledged before GitHub answers
    await bot.send.event(event, event_id="Ev42", retry=1)
    await eventually(lambda: bot.slack.accepted_unfurls())
    await bot.send.event(event, event_id="Ev42", retry=2)
    await asyncio.sleep(0.5)
    [unfurls] = bot.slack.accepted_unfurls()
    assert "Add the MoE dispatcher" in card_text(unfurls[url])
    assert len(bot.slack.calls_to("chat.unfurl")) == 1
    assert analysis_store.get_analysis(bot.db, "o/r", commit.sha) is not None  # fetched, analyzed and cached


async def test_an_uncached_commit_is_fetched_analyzed_and_unfurled_in_the_composer(serve_bot, github) -> None:
    bot = await serve_bot(github_api_url=github.url, digest_repos="o/r")
    commit = github.add_commit("o/r", "Fix <!channel> crash in <@U123> scheduler")
    url = f"https://github.com/O/R/pull/7/commits/{commit.sha}"  # GitHub names are case-insensitive
    event = bot.slack.share_links("C1", [url], source="composer")
    assert event["channel"] == "COMPOSER"
    await bot.send.event(event)
    await eventually(lambda: bot.slack.accepted_unfurls())
    [call] = bot.slack.calls_to("chat.unfurl")
    assert call.params["unfurl_id"] == event["unfurl_id"] and call.params["source"] == "composer"
    assert "crash in" in card_text(bot.slack.accepted_unfurls()[0][url])
    assert github.requests_to(rf"/repos/o/r/commits/{commit.sha}")
    bot.slack.assert_no_mentions()


async def test_full_analysis_posts_the_card_once_in_the_thread_of_the_link(serve_bot) -> None:
    bot = await serve_bot(digest_repos=REPO)
    seed_commit(bot.db)
    event = bot.slack.share_links("C1", [LINK])
    await bot.send.event(event)
    await eventually(lambda: bot.slack.accepted_unfurls())
    value = bot.slack.accepted_unfurls()[0][LINK]["blocks"][-1]["elements"][0]["value"]
    for _ in range(2):
        await bot.send.action(unfurl_button(value, "C1", event["message_ts"]))
        await eventually(lambda: bot.slack.thread(event["message_ts"]))
    await asyncio.sleep(0.3)
    [reply] = bot.slack.thread(event["message_ts"])
    assert "Move fa4" in json.dumps(reply.blocks) and validate_blocks(reply.blocks) is None


async def test_full_analysis_of_a_link_in_a_thread_answers_in_that_thread(serve_bot) -> None:
    bot = await serve_bot(digest_repos=REPO)
    seed_commit(bot.db)
    parent = (await bot.ctx.client.chat_postMessage(channel="C1", text="what broke?"))["ts"]
    event = bot.slack.share_links("C1", [LINK], thread_ts=parent)
    await bot.send.event(event)
    await eventually(lambda: bot.slack.accepted_unfurls())
    value = bot.slack.accepted_unfurls()[0][LINK]["blocks"][-1]["elements"][0]["value"]
    await bot.send.action(unfurl_button(value, "C1", event["message_ts"]))
    await eventually(lambda: len(bot.slack.thread(parent)) == 2)  # the link's message, then the card
    assert "Move fa4" in json.dumps(bot.slack.thread(parent)[1].blocks)


def unfurl_button(value: str, channel: str, message_ts: str) -> dict:
    """A block_actions payload for a button inside an app unfurl, as Slack sends it."""
    return {
        "type": "block_actions",
        "user": {"id": "U1", "username": "ada", "team_id": "T1"},
        "api_app_id": "A1",
        "team": {"id": "T1", "domain": "test"},
        "channel": {"id": channel, "name": "eng"},
        "container": {
            "type": "message_attachment",
            "message_ts": message_ts,
            "attachment_id": 1,
            "channel_id": channel,
            "is_ephemeral": False,
            "is_app_unfurl": True,
        },
        "trigger_id": "1.2.3",
        "actions": [
            {
                "type": "button",
                "action_id": FULL_ANALYSIS_ACTION,
                "block_id": "b",
                "value": value,
                "action_ts": "1.1",
            }
        ],
    }


async def test_a_watched_link_to_a_commit_github_does_not_have_is_left_alone(serve_bot, github) -> None:
    bot = await serve_bot(github_api_url=github.url, digest_repos="o/r")
    github.add_commit("o/r", "Initial commit")
    await bot.send.event(bot.slack.share_links("C1", ["https://github.com/o/r/commit/deadbeefcafe"]))
    await eventually(lambda: github.requests_to("/repos/o/r/commits/deadbeefcafe"))
    await asyncio.sleep(0.3)
    assert bot.slack.calls_to("chat.unfurl") == []
