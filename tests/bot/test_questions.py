"""Questions in a digest or card thread, over signed HTTP against the tests' Slack and chat servers."""

from __future__ import annotations

import asyncio
import json

import pytest

from analysis.models import Digest, RepoDigest
from analysis.questions import ANSWER_CHARS
from analysis.store import deliveries as delivery_store
from bot.questions import MAX_TEXT
from bot.slack.delivery import post_digest
from tests.bot.conftest import eventually
from tests.fakes.chat import ChatServer
from tests.fakes.digests import REPO, SHA, seed_commit
from tests.fakes.github import FakeFile, FakeGitHub
from tests.fakes.slack_inbound import ResponseUrls

PATH = "python/sglang/jit_kernel/fa4.py"
DAY = "2026-01-24"


@pytest.fixture
def chat():
    with ChatServer() as server:
        yield server


@pytest.fixture
def github():
    """GitHub holding the seeded commit, with its diff (the store keeps none once a commit is analyzed)."""
    with FakeGitHub() as gh:
        gh.add_repo(REPO)
        patch = "@@ -0,0 +1,2 @@\n+def fa4_forward(q, k, v):\n+    return jit_compile('fa4')(q, k, v)"
        files = [FakeFile(PATH, "added", 120, 0, patch=patch)]
        gh.add_commit(REPO, "Move fa4 from sgl-kernel to jit kernel (#17353)", sha=SHA, files=files)
        yield gh


async def delivered(bot, channel: str = "C1", repo: str = REPO) -> tuple[str, str]:
    """Post a day with one high-importance commit; return the day's top message ts and the card's reply ts."""
    entry = seed_commit(bot.db, repo=repo)
    digest = Digest(date=DAY, timezone="UTC", repos=[RepoDigest(repo, entries=[entry])])
    result = await post_digest(bot.ctx.client, bot.db, digest, channel, pause=0)
    return result.parts[0], result.replies[SHA]


def mention(text: str, thread_ts: str, *, ts: str, channel: str = "C1", user: str = "U7") -> dict:
    return {
        "type": "app_mention",
        "channel": channel,
        "user": user,
        "text": f"<@UBOT> {text}",
        "ts": ts,
        "thread_ts": thread_ts,
    }


def answers(bot, thread: str) -> list[str]:
    """The bot's answers in a thread (the digest's own card replies left out)."""
    return [m.text for m in bot.slack.thread(thread) if not m.metadata]


async def llm_bot(serve_bot, chat, github, **kw):
    return await serve_bot(
        digest_repos=REPO,
        openai_api_key="sk-test",
        openai_base_url=chat.base_url,
        digest_llm_model="m",
        github_api_url=github.url,
        **kw,
    )


async def test_a_question_in_a_cards_thread_is_answered_once_citing_only_that_commits_files(
    serve_bot, chat, github
) -> None:
    def reply(_req) -> dict:
        return {
            "answer": f"It moves {PATH} and also src/made_up/evil.py; see https://evil.example/x <!channel> <@U1> "
            f"and commit deadbee1234 [{SHA[:10]}].",
            "commits": [SHA[:10], "0123456789abcdef"],
            "files": [PATH, "src/made_up/evil.py"],
        }

    chat.question = reply
    bot = await llm_bot(serve_bot, chat, github)
    _top, card = await delivered(bot)
    event = mention("what does this change break?", card, ts="1769300000.000001")
    assert (await bot.send.event(event, event_id="EvQ1")).status_code == 200
    await eventually(lambda: answers(bot, card))
    await bot.send.event(event, event_id="EvQ1", retry=1)  # Slack's retry
    await bot.send.event(event, event_id="EvQ1-again")  # the same message delivered as a new event
    await asyncio.sleep(0.5)
    [text] = answers(bot, card)
    assert PATH in text and SHA[:10] in text
    assert "made_up" not in text and "evil.example" not in text and "deadbee1234" not in text
    assert "<!channel>" not in text and "<@U1>" not in text and "0123456789" not in text
    bot.slack.assert_no_mentions()
    [asked] = chat.question_requests
    assert PATH in asked.user_text and "what does this change break?" in asked.user_text
    assert "def fa4_forward(q, k, v):" in asked.user_text  # the diff, read again from the watched repository
    post = bot.slack.calls_to("chat.postMessage")[-1].params
    assert post["thread_ts"] == card and str(post.get("unfurl_links")).lower() == "false"


async def test_a_second_question_sees_the_first_and_the_day_thread_narrows_to_a_named_commit(
    serve_bot, chat, github
) -> None:
    bot = await llm_bot(serve_bot, chat, github)
    top, _card = await delivered(bot)
    await bot.send.event(mention(f"why was {SHA[:8]} needed?", top, ts="1769300000.000002"))
    await eventually(lambda: len(answers(bot, top)) == 1)
    await bot.send.event(mention(f"and is {SHA[:8]} safe to deploy?", top, ts="1769300000.000003"))
    await eventually(lambda: len(answers(bot, top)) == 2)
    first, second = chat.question_requests
    assert "Earlier in this thread" not in first.user_text and "## Commit" in first.user_text
    assert f"why was {SHA[:8]} needed?" in second.user_text
    assert f"It changes {PATH}." in second.user_text  # the first answer, as the model gave it


async def test_a_question_in_the_days_thread_reads_the_days_cards(serve_bot, chat, github) -> None:
    bot = await llm_bot(serve_bot, chat, github)
    top, _card = await delivered(bot)
    await bot.send.event(mention("what happened today?", top, ts="1769300000.000004"))
    await eventually(lambda: answers(bot, top))
    [asked] = chat.question_requests
    assert f"[{SHA[:10]}]" in asked.user_text and "## Cards" in asked.user_text


async def test_an_unwatched_thread_gets_no_answer_and_no_model_call(serve_bot, chat, github) -> None:
    bot = await serve_bot(
        digest_repos="o/r",
        openai_api_key="sk-test",
        openai_base_url=chat.base_url,
        digest_llm_model="m",
        github_api_url=github.url,
    )
    top, card = await delivered(bot, channel="C2")  # a day of a repository no longer watched
    await bot.send.event(mention("what does it do?", card, ts="1769300000.000005", channel="C2"))
    await bot.send.event(mention("and today?", top, ts="1769300000.000006", channel="C2"))
    await asyncio.sleep(0.8)
    assert answers(bot, card) == [] and answers(bot, top) == []
    assert chat.requests == [] and github.requests_to(f"/repos/{REPO}") == []


async def test_without_a_model_the_card_and_facts_say_no_model_is_configured(serve_bot, github) -> None:
    bot = await serve_bot(digest_repos=REPO, github_api_url=github.url)
    _top, card = await delivered(bot)
    await bot.send.event(mention("what does it do?", card, ts="1769300000.000007"))
    await eventually(lambda: answers(bot, card))
    [text] = answers(bot, card)
    assert "No model is configured" in text and "Moves the FA4 kernel" in text and "+120 -0" in text
    assert len(text) <= MAX_TEXT


async def test_a_members_rate_is_bounded(serve_bot, chat, github) -> None:
    bot = await llm_bot(serve_bot, chat, github, digest_questions_per_10min=1)
    _top, card = await delivered(bot)
    await bot.send.event(mention("first?", card, ts="1769300000.000008"))
    await eventually(lambda: len(answers(bot, card)) == 1)
    await bot.send.event(mention("second?", card, ts="1769300000.000009"))
    await eventually(lambda: len(answers(bot, card)) == 2)
    assert "1 questions in the last 10 minutes" in answers(bot, card)[1]
    assert len(chat.question_requests) == 1


async def test_a_long_hostile_answer_stays_within_slacks_limits(serve_bot, chat, github) -> None:
    chat.question = lambda _r: {"answer": "<!here> @everyone " + "x" * 20000, "commits": [], "files": []}
    bot = await llm_bot(serve_bot, chat, github)
    _top, card = await delivered(bot)
    await bot.send.event(mention("explain", card, ts="1769300000.000010"))
    await eventually(lambda: answers(bot, card))
    [text] = answers(bot, card)
    assert len(text) <= ANSWER_CHARS + 200 and "<!here>" not in text
    bot.slack.assert_no_mentions()


async def test_commit_with_a_question_answers_about_that_commit(serve_bot, chat, github) -> None:
    bot = await llm_bot(serve_bot, chat, github)
    seed_commit(bot.db)
    with ResponseUrls() as urls:
        url = urls.new()
        resp = await bot.send.command("/commit", f"{SHA[:10]} what does it move?", url)
        assert resp.status_code == 200 and "Looking into it" in resp.text
        [body] = await urls.wait(url)
    assert body["response_type"] == "ephemeral" and PATH in body["text"]
    [asked] = chat.question_requests
    assert "what does it move?" in asked.user_text
    assert delivery_store.get_delivery(bot.db, "C1", DAY) is None
    assert json.dumps(body).count("It changes") == 1
