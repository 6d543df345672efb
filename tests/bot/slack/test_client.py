"""The Web API client: rate limits, joining channels, connection errors, a wrong token."""

import asyncio

from analysis.store.deliveries import get_delivery
from bot.slack.client import make_client
from bot.slack.delivery import post_digest
from tests.bot.slack.conftest import CHANNEL
from tests.fakes.digests import digest
from tests.fakes.slack import FakeSlack


def _rejected(slack):
    return [(c.method, c.error) for c in slack.calls if c.error]


async def test_429_bursts_are_honoured(slack, client, db):
    slack.rate_limit("chat.postMessage", 2, retry_after=1)
    result = await post_digest(client, db, digest(high=1, medium=0, low=0), CHANNEL, pause=0)
    assert result.ok and len(slack.messages) == 2
    posts = slack.calls_to("chat.postMessage")
    assert [c.status for c in posts] == [429, 429, 200, 200]
    assert posts[1].at - posts[0].at >= 0.95 and posts[2].at - posts[1].at >= 0.95  # waited Retry-After


async def test_a_two_digit_retry_after_is_waited_in_full(slack, client, db, monkeypatch):
    slack.rate_limit("chat.postMessage", 1, retry_after=12)
    sleeps: list[float] = []
    real_sleep = asyncio.sleep

    async def clock(delay: float, *args, **kwargs):
        sleeps.append(delay)
        await real_sleep(0)

    monkeypatch.setattr(asyncio, "sleep", clock)  # the clock, not our code: the wait is what is asserted
    result = await post_digest(client, db, digest(high=0, medium=1, low=0), CHANNEL, pause=0)
    assert result.ok
    assert any(12 <= d < 12.5 for d in sleeps), sleeps


async def test_a_rate_limit_that_never_ends_is_a_clear_failure(slack, client, db):
    slack.rate_limit("chat.postMessage", 50, retry_after=0)
    result = await post_digest(client, db, digest(high=1, medium=0, low=0), CHANNEL, pause=0)
    assert not result.ok and result.error.startswith("ratelimited")
    assert len(slack.calls_to("chat.postMessage")) == 6  # the first try and five retries
    assert get_delivery(db, CHANNEL, "2026-01-24").status == "failed"


async def test_not_in_channel_joins_and_retries_once(slack, client, db):
    slack.outside.add(CHANNEL)
    result = await post_digest(client, db, digest(high=1, medium=0, low=0), CHANNEL, pause=0)
    assert result.ok and len(slack.messages) == 2
    assert len(slack.calls_to("conversations.join")) == 1


async def test_not_in_channel_after_joining_fails_without_a_loop(slack, client, db):
    slack.outside.add(CHANNEL)
    slack.join_leaves_outside = True
    result = await post_digest(client, db, digest(high=1, medium=0, low=0), CHANNEL, pause=0)
    assert not result.ok and result.error.startswith("not_in_channel")
    assert len(slack.calls_to("conversations.join")) == 1
    assert len(slack.calls_to("chat.postMessage")) == 2


async def test_a_wrong_token_is_recorded_not_raised(slack, db):
    result = await post_digest(make_client("xoxb-wrong", slack.url), db, digest(), CHANNEL, pause=0)
    assert not result.ok and "SLACK_BOT_TOKEN" in result.error
    assert get_delivery(db, CHANNEL, "2026-01-24").error == "invalid_auth"


async def test_connection_errors_are_a_clear_failure(db):
    with FakeSlack() as gone:
        url = gone.url
    result = await post_digest(make_client("xoxb-test-token", url), db, digest(high=1), CHANNEL, pause=0)
    assert not result.ok and result.error.startswith("connection_error")
    assert get_delivery(db, CHANNEL, "2026-01-24").status == "failed"
