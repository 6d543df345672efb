"""Posting a digest once per channel and day, resuming and recovering, with its thread."""

import asyncio
import logging

import pytest

from analysis.models import Digest, Importance, RepoDigest
from analysis.store.deliveries import get_delivery
from bot.slack.alerts import post_alert
from bot.slack.blocks import card_ephemeral_blocks
from bot.slack.client import make_client
from bot.slack.delivery import PostStatus, post_digest
from storage.db import open_db
from tests.bot.slack.conftest import CHANNEL
from tests.fakes.digests import REPO, REPO_URL, digest, entry


def _rejected(slack):
    return [(c.method, c.error) for c in slack.calls if c.error]


async def test_a_60_commit_day_is_posted_in_valid_parts_with_its_thread(slack, client, db):
    d = digest(high=40, medium=15, low=5)
    result = await post_digest(client, db, d, CHANNEL, pause=0)
    assert result.ok and result.status is PostStatus.POSTED
    assert _rejected(slack) == []
    parents = slack.top_level(CHANNEL)
    assert len(parents) >= 2  # 40 cards do not fit one message
    thread = slack.thread(parents[0].ts)
    high = [e.commit.sha for e in d.repos[0].by_importance(Importance.HIGH)]
    assert len(thread) == len(high) == 40
    assert [result.replies[sha] for sha in high] == [m.ts for m in thread]
    row = get_delivery(db, CHANNEL, "2026-01-24")
    assert row.status == "posted" and row.message_ts == parents[0].ts
    assert row.parts == [m.ts for m in parents] == result.parts

    again = await post_digest(client, db, d, CHANNEL, pause=0)
    assert again.status is PostStatus.ALREADY_POSTED and again.posted == 0
    assert len(slack.messages) == len(parents) + 40


async def test_medium_thread_level_threads_medium_commits_too(slack, client, db):
    d = digest(high=1, medium=2, low=3)
    result = await post_digest(client, db, d, CHANNEL, thread_level="medium", pause=0)
    assert result.ok
    assert len(slack.thread(result.message_ts)) == 3


async def test_no_mention_reaches_slack(slack, client, db):
    evil = "Revert <!channel> <@U123> @here <!subteam^S1|@devs> <!everyone>"
    e = entry(1, title=evil, author="@channel <@U999>", summary=[evil], risks=[evil])
    d = Digest(date="2026-01-24", timezone="UTC", repos=[RepoDigest(repo=REPO, entries=[e], url=REPO_URL)])
    result = await post_digest(client, db, d, CHANNEL, pause=0)
    assert result.ok and len(slack.messages) == 2
    await post_alert(client, db, CHANNEL, "llm_auth", f"the LLM said {evil}")
    assert len(slack.calls_to("chat.postMessage")) == 3
    slack.assert_no_mentions()


async def test_a_restart_after_the_parent_resumes_the_thread_without_duplicates(slack, client, db):
    d = digest(high=4, medium=1, low=0)
    slack.thread_replies_until_500 = 0  # Slack fails every reply: the run "dies" after the parent
    first = await post_digest(client, db, d, CHANNEL, pause=0)
    assert not first.ok and "fatal_error" in first.error
    assert len(slack.top_level()) == 1 and slack.thread(first.message_ts) == []
    row = get_delivery(db, CHANNEL, "2026-01-24")
    assert row.status == "failed" and row.message_ts == first.message_ts

    slack.thread_replies_until_500 = None
    second = await post_digest(client, db, d, CHANNEL, pause=0)
    assert second.ok and second.message_ts == first.message_ts
    assert len(slack.top_level()) == 1
    assert len(slack.thread(first.message_ts)) == 4
    assert get_delivery(db, CHANNEL, "2026-01-24").status == "posted"


async def test_a_reply_posted_before_a_failure_is_not_posted_again(slack, client, db):
    d = digest(high=3, medium=0, low=0)
    slack.thread_replies_until_500 = 1
    first = await post_digest(client, db, d, CHANNEL, pause=0)
    assert not first.ok
    shas = [e.commit.sha for e in d.repos[0].entries]
    assert [sha in first.replies for sha in shas] == [True, False, False]

    slack.thread_replies_until_500 = None
    # a fresh client and database handle, as after a restart
    final = await post_digest(make_client(slack.token, slack.url), open_db(db_path(db)), d, CHANNEL, pause=0)
    assert final.ok and final.replies[shas[0]] == first.replies[shas[0]]
    thread = slack.thread(final.message_ts)
    assert [m.ts for m in thread] == [final.replies[sha] for sha in shas]
    assert len(slack.top_level()) == 1


def db_path(db):
    return db.execute("pragma database_list").fetchone()[2]


def _lookups(slack):
    return slack.calls_to("conversations.history") + slack.calls_to("conversations.replies")


async def test_a_first_delivery_tags_every_message_and_searches_nothing(slack, client, db):
    d = digest(high=3, medium=1, low=1)
    result = await post_digest(client, db, d, CHANNEL, pause=0)
    assert result.ok and _lookups(slack) == []
    key = f"{CHANNEL}:2026-01-24"
    items = {m.ts: m.metadata["event_payload"]["item"] for m in slack.messages}
    assert all(m.metadata["event_type"] == "commit_digest" for m in slack.messages)
    assert {m.metadata["event_payload"]["key"] for m in slack.messages} == {key}
    parts = {ts: f"part:{i}" for i, ts in enumerate(result.parts)}
    assert items == {ts: item for item, ts in result.replies.items()} | parts


@pytest.mark.parametrize("mode", ["500", "drop"])
async def test_a_parent_accepted_but_unrecorded_is_found_not_posted_again(slack, client, db, mode):
    yesterday = digest(high=1, medium=0, low=0, date="2026-01-23")
    assert (await post_digest(client, db, yesterday, CHANNEL, pause=0)).ok  # same channel, another key
    d = digest(high=3, medium=0, low=0)
    slack.accept_then_fail(1, mode=mode)
    first = await post_digest(client, db, d, CHANNEL, pause=0)
    assert not first.ok and first.replies == {}
    assert len(slack.top_level()) == 2  # Slack kept the parent; the client never learned its ts
    parent = slack.top_level()[-1]

    final = await post_digest(make_client(slack.token, slack.url), open_db(db_path(db)), d, CHANNEL, pause=0)
    assert final.ok and final.message_ts == parent.ts and final.posted == 3
    assert len(slack.top_level()) == 2
    shas = [e.commit.sha for e in d.repos[0].entries]
    assert [m.ts for m in slack.thread(parent.ts)] == [final.replies[sha] for sha in shas]
    [history] = slack.calls_to("conversations.history")
    assert history.params["include_all_metadata"] in ("1", "true", True)
    assert 0 < float(parent.ts) - float(history.params["oldest"]) < 3600


async def test_a_crash_while_posting_a_reply_does_not_duplicate_it(slack, client, db):
    d = digest(high=3, medium=0, low=0)
    slack.accept_then_fail(1, after=2, mode="hang")  # the parent and one reply go through
    run = asyncio.create_task(post_digest(client, db, d, CHANNEL, pause=0))
    for _ in range(1000):
        if len(slack.messages) == 3:
            break
        await asyncio.sleep(0.01)
    run.cancel()  # the process dies while Slack holds the answer
    with pytest.raises(asyncio.CancelledError):
        await run
    slack.release()
    row = get_delivery(db, CHANNEL, "2026-01-24")
    shas = [e.commit.sha for e in d.repos[0].entries]
    assert row.status == "posting" and [sha in row.replies for sha in shas] == [True, False, False]

    final = await post_digest(make_client(slack.token, slack.url), open_db(db_path(db)), d, CHANNEL, pause=0)
    assert final.ok and final.posted == 1
    thread = slack.thread(final.message_ts)
    assert [m.ts for m in thread] == [final.replies[sha] for sha in shas]
    assert len(slack.top_level()) == 1 and slack.calls_to("conversations.history") == []
    assert len(slack.calls_to("conversations.replies")) == 1


async def test_a_reply_accepted_but_unrecorded_is_found_not_posted_again(slack, client, db):
    d = digest(high=2, medium=0, low=0)
    slack.accept_then_fail(1, after=1)
    first = await post_digest(client, db, d, CHANNEL, pause=0)
    assert (
        not first.ok
        and first.error.startswith("fatal_error")
        and len(first.parts) == 1
        and first.replies == {}
    )
    final = await post_digest(client, db, d, CHANNEL, pause=0)
    assert final.ok and final.posted == 1
    assert len(slack.thread(final.message_ts)) == 2 and len(slack.messages) == 3


async def test_a_history_search_across_pages(slack, client, db):
    for i in range(5):
        await client.chat_postMessage(channel=CHANNEL, text=f"m{i}")
    seen, cursor = [], None
    for _ in range(5):
        page = await client.conversations_history(channel=CHANNEL, limit=2, cursor=cursor)
        seen += [m["text"] for m in page["messages"]]
        cursor = page["response_metadata"]["next_cursor"]
        if not page["has_more"]:
            break
    assert seen == ["m4", "m3", "m2", "m1", "m0"] and cursor == ""
    oldest = slack.messages[2].ts
    page = await client.conversations_history(channel=CHANNEL, oldest=oldest)
    assert [m["text"] for m in page["messages"]] == ["m4", "m3"]


async def test_a_failed_lookup_falls_back_to_posting_with_one_warning(slack, client, db, caplog):
    d = digest(high=2, medium=0, low=0)
    slack.accept_then_fail(1)
    assert not (await post_digest(client, db, d, CHANNEL, pause=0)).ok
    denied = {"ok": False, "error": "missing_scope", "needed": "channels:history"}
    slack.script("conversations.history", denied)
    slack.script("conversations.replies", denied)
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="bot.slack.delivery"):
        final = await post_digest(client, db, d, CHANNEL, pause=0)
    assert final.ok and final.posted == 3
    assert len(slack.top_level()) == 2  # without history the lost parent cannot be found: posted again
    assert len(slack.thread(final.message_ts)) == 2
    [warning] = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert "missing_scope" in warning.getMessage()
    assert len(_lookups(slack)) == 1


async def test_a_refused_post_is_retried_without_a_search(slack, client, db):
    slack.missing.add(CHANNEL)
    d = digest(high=1, medium=0, low=0)
    assert not (await post_digest(client, db, d, CHANNEL, pause=0)).ok
    slack.missing.clear()
    assert (await post_digest(client, db, d, CHANNEL, pause=0)).ok
    assert _lookups(slack) == [] and len(slack.messages) == 2


@pytest.mark.parametrize("fault", ["channel_not_found", "is_archived"])
async def test_a_channel_that_cannot_be_posted_to_is_recorded_not_raised(slack, client, db, fault):
    (slack.missing if fault == "channel_not_found" else slack.archived).add(CHANNEL)
    result = await post_digest(client, db, digest(), CHANNEL, pause=0)
    assert not result.ok and result.error.startswith(fault)
    row = get_delivery(db, CHANNEL, "2026-01-24")
    assert row.status == "failed" and row.error == fault and row.message_ts is None
    assert slack.messages == []


async def test_blocks_slack_rejects_fall_back_to_text(slack, client, db):
    slack.script("chat.postMessage", {"ok": False, "error": "invalid_blocks"})
    result = await post_digest(client, db, digest(high=0, medium=1, low=0), CHANNEL, pause=0)
    assert result.ok
    [msg] = slack.messages
    assert msg.blocks == [] and msg.text.startswith("Commit digest")


async def test_a_quiet_day(slack, client, db):
    quiet = Digest(date="2026-01-24", timezone="UTC", repos=[RepoDigest(repo=REPO)])
    result = await post_digest(client, db, quiet, CHANNEL, empty_day="quiet")
    assert result.ok and len(slack.messages) == 1 and "no new commits" in slack.messages[0].text


async def test_a_quiet_day_posts_nothing_when_asked_and_only_once(slack, client, db):
    quiet = Digest(date="2026-01-24", timezone="UTC", repos=[RepoDigest(repo=REPO)])
    assert (await post_digest(client, db, quiet, CHANNEL, empty_day="none")).status == "skipped"
    assert (await post_digest(client, db, quiet, CHANNEL, empty_day="quiet")).status == "already_posted"
    assert slack.calls == []


async def test_the_ephemeral_card_and_the_reply_permalink_through_the_real_client(slack, client, db):
    d = digest(high=1, medium=0, low=0)
    e = d.repos[0].entries[0]
    result = await post_digest(client, db, d, CHANNEL, pause=0)
    link = await client.chat_getPermalink(channel=CHANNEL, message_ts=result.replies[e.commit.sha])
    assert link["permalink"].endswith(result.replies[e.commit.sha].replace(".", ""))
    msg = card_ephemeral_blocks(e)
    await client.chat_postEphemeral(channel=CHANNEL, user="U1", text=msg.text, blocks=msg.blocks)
    assert slack.messages[-1].user == "U1" and slack.messages[-1].blocks[-1]["type"] == "actions"
    assert _rejected(slack) == []
