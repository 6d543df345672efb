"""The schedule: last fire time, catching up a missed digest once, one digest at a time, alerts, cursors."""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
import sqlite_utils

from analysis.models import Analysis, AnalysisStatus, Importance
from analysis.state import Delivery, DeliveryStatus
from analysis.store.analyses import save_analysis
from analysis.store.deliveries import latest_delivery, save_delivery
from analysis.store.reported import get_cursor
from bot import subscriptions
from bot.schedule import crontab_weekdays, last_fire_time
from bot.scheduler import (
    Digester,
    catch_up,
    make_scheduler,
    missed_channels,
    trigger,
)
from bot.settings import Settings, load_settings
from bot.slack.client import make_client
from storage.db import open_db
from tests.fakes.github import FakeGitHub
from tests.fakes.slack import FakeSlack


@dataclass
class World:
    """Loopback Slack and GitHub, a database, and a digest runner wired to them."""

    slack: FakeSlack
    github: FakeGitHub
    settings: Settings
    db: sqlite_utils.Database
    digester: Digester

    def restart(self) -> Digester:
        """A new runner on the same database, as after a process restart."""
        client = make_client(self.slack.token, self.settings.slack_api_url)
        self.digester = Digester(self.settings, self.db, client)
        return self.digester


@pytest.fixture
def make_world(tmp_path):
    stack = contextlib.ExitStack()

    def make(**overrides) -> World:
        slack = stack.enter_context(FakeSlack())
        github = stack.enter_context(FakeGitHub(token=overrides.pop("github_server_token", None)))
        github.add_repo("o/r")
        github.add_commit(
            "o/r", "Add the MoE dispatcher (#1)", committed_at=datetime.now(UTC) - timedelta(hours=2)
        )
        settings = load_settings(
            slack_bot_token=slack.token,
            slack_api_url=slack.url,
            github_api_url=github.url,
            digest_db_path=str(tmp_path / "s.db"),
            digest_channel="C1",
            digest_repos="o/r",
            **overrides,
        )
        db = open_db(settings.digest_db_path)
        subscriptions.seed(db, settings)
        world = World(slack, github, settings, db, None)  # type: ignore[arg-type]
        world.restart()
        return world

    yield make
    stack.close()


@pytest.mark.parametrize(
    ("field", "expected"),
    [
        ("*", "*"),
        ("1-5", "mon,tue,wed,thu,fri"),
        ("0", "sun"),
        ("7", "sun"),
        ("5-7", "sun,fri,sat"),
        ("1,3,5", "mon,wed,fri"),
        ("*/2", "sun,tue,thu,sat"),
        ("mon-fri", "mon,tue,wed,thu,fri"),
        ("SAT,sun", "sun,sat"),
        ("1/3", "sun,mon,thu"),
    ],
)
def test_crontab_weekdays_use_crontab_numbering(field: str, expected: str) -> None:
    assert crontab_weekdays(field) == expected


def test_weekday_schedule_skips_the_weekend() -> None:
    cron = trigger(load_settings(digest_schedule="0 9 * * 1-5"))
    t, days = datetime(2026, 1, 23, 10, tzinfo=UTC), []  # a Friday, after 09:00
    for _ in range(5):
        t = cron.get_next_fire_time(None, t)
        days.append(t.strftime("%a"))
        t += timedelta(minutes=1)
    assert days == ["Mon", "Tue", "Wed", "Thu", "Fri"]


def test_last_fire_time_finds_the_latest_scheduled_time() -> None:
    cron = trigger(load_settings(digest_schedule="0 9 * * 1-5", digest_timezone="Asia/Shanghai"))
    monday_early = datetime(2026, 1, 26, 0, 30, tzinfo=UTC)  # 08:30 in Shanghai, before Monday's run
    assert last_fire_time(cron, monday_early) == datetime(2026, 1, 23, 1, 0, tzinfo=UTC)  # Friday 09:00 +08
    assert last_fire_time(cron, datetime(2026, 1, 26, 1, 0, tzinfo=UTC)) == datetime(
        2026, 1, 26, 1, 0, tzinfo=UTC
    )
    monthly = trigger(load_settings(digest_schedule="0 9 1 * *"))
    assert last_fire_time(monthly, datetime(2026, 1, 31, tzinfo=UTC)) == datetime(2026, 1, 1, 9, tzinfo=UTC)
    every_minute = trigger(load_settings(digest_schedule="* * * * *"))
    assert last_fire_time(every_minute, datetime(2026, 1, 31, 10, 5, 30, tzinfo=UTC)) == datetime(
        2026, 1, 31, 10, 5, tzinfo=UTC
    )


def test_missed_channels_compares_the_last_fire_with_the_digests_table(tmp_path) -> None:
    settings = load_settings(digest_schedule="0 9 * * *", digest_channel="C1", digest_repos="o/r")
    db = open_db(tmp_path / "m.db")
    subscriptions.seed(db, settings)
    subscriptions.subscribe(db, subscriptions.Subscription("C2", "o/r"))
    now = datetime(2026, 1, 24, 10, tzinfo=UTC)
    assert missed_channels(settings, db, now) == ["C1", "C2"]
    save_delivery(db, Delivery("C1", "2026-01-24", DeliveryStatus.POSTED))
    save_delivery(db, Delivery("C2", "2026-01-23", DeliveryStatus.POSTED))
    assert missed_channels(settings, db, now) == ["C2"]
    save_delivery(db, Delivery("C2", "2026-01-24", DeliveryStatus.POSTING))
    assert missed_channels(settings, db, now) == ["C2"]  # half-posted: resumed by the next run
    assert missed_channels(settings, db, datetime(2026, 1, 24, 8, tzinfo=UTC)) == []  # 09:00 not reached


async def test_a_missed_schedule_is_caught_up_exactly_once(make_world) -> None:
    w = make_world(digest_schedule="* * * * *")
    assert await catch_up(w.digester) == ["C1"]
    assert len(w.slack.top_level("C1")) == 1
    assert get_cursor(w.db, "o/r", "C1") is not None
    assert await catch_up(w.restart()) == []
    assert await catch_up(w.restart()) == []
    assert len(w.slack.top_level("C1")) == 1


async def test_two_concurrent_triggers_post_once(make_world) -> None:
    w = make_world()
    scheduled, caught_up = await asyncio.gather(w.digester.run(wait=True), w.digester.run(wait=True))
    assert [o.posted for o in scheduled + caught_up] == [
        True,
        False,
    ]  # the second waited, then found it posted
    [parent] = w.slack.top_level("C1")
    assert len(w.slack.calls_to("chat.postMessage")) == 1 + len(w.slack.thread(parent.ts))
    manual, scheduled = await asyncio.gather(w.digester.run(), w.digester.run())
    assert manual is not None and scheduled is None  # a manual run while one is running is refused
    assert len(w.slack.top_level("C1")) == 1


async def test_the_scheduler_runs_the_digest_job(make_world) -> None:
    w = make_world()
    sched = make_scheduler(w.digester)
    job = sched.get_job("digest")
    assert (job.max_instances, job.coalesce) == (1, True)
    sched.start()
    try:
        job.modify(next_run_time=datetime.now(UTC))
        deadline = time.monotonic() + 30
        while not w.slack.top_level("C1"):
            assert time.monotonic() < deadline, "the scheduled digest was not posted"
            await asyncio.sleep(0.05)
    finally:
        sched.shutdown(wait=False)


async def test_a_channel_that_cannot_be_posted_raises_one_alert_which_clears_after(make_world) -> None:
    w = make_world(digest_alert_channel="CALERT")
    w.slack.missing.add("C1")
    for _ in range(3):
        [outcome] = await w.digester.run()
        assert not outcome.posted and "channel_not_found" in outcome.error
    alerts = w.slack.top_level("CALERT")
    assert len(alerts) == 1 and "channel_not_found" in alerts[0].text
    assert get_cursor(w.db, "o/r", "C1") is None  # nothing was posted, so nothing is skipped later
    w.slack.missing.discard("C1")
    [outcome] = await w.digester.run()
    assert outcome.posted and outcome.error is None
    assert "Add the MoE dispatcher" in str(w.slack.top_level("C1")[0].blocks)
    assert "Resolved" in w.slack.top_level("CALERT")[0].text
    assert get_cursor(w.db, "o/r", "C1") is not None


async def test_a_github_auth_failure_is_one_alert_and_the_digest_still_posts(make_world) -> None:
    w = make_world(github_server_token="right", github_token="wrong")
    [outcome] = await w.digester.run()
    assert outcome.posted and outcome.alerts
    [alert] = w.slack.top_level("C1")[1:]
    assert "provider" in alert.text
    w.settings = w.digester.settings = load_settings(**{**w.settings.model_dump(), "github_token": "right"})
    await w.digester.run(day=datetime.now(UTC).date() - timedelta(days=3))
    assert "Resolved" in w.slack.top_level("C1")[1].text


async def test_one_bad_channel_does_not_stop_the_others(make_world) -> None:
    w = make_world()
    subscriptions.subscribe(w.db, subscriptions.Subscription("C2", "no/such-repo"))
    subscriptions.subscribe(w.db, subscriptions.Subscription("C3", "o/r", min_importance=Importance.HIGH))
    w.slack.missing.add("C2")
    outcomes = {o.channel: o for o in await w.digester.run()}
    assert outcomes["C1"].posted and outcomes["C3"].posted
    assert "channel_not_found" in outcomes["C2"].error


async def test_a_restart_after_the_parent_was_posted_completes_the_thread_without_repeating(
    make_world,
) -> None:
    w = make_world(digest_schedule="* * * * *")
    sha = w.github.add_commit(
        "o/r", "Rewrite the scheduler (#2)", committed_at=datetime.now(UTC) - timedelta(hours=1)
    ).sha
    high = Analysis(sha, AnalysisStatus.HEURISTIC, Importance.HIGH, reasons=["core scheduler rewritten"])
    save_analysis(w.db, "o/r", high)  # the pipeline reuses a stored analysis
    run = asyncio.create_task(w.digester.run())
    deadline = time.monotonic() + 30
    while not (latest_delivery(w.db, "C1") or Delivery("C1", "")).parts:
        assert time.monotonic() < deadline and not run.done(), "the parent message was not recorded"
        await asyncio.sleep(0.01)
    run.cancel()  # the process dies between the parent message and its thread (replies are paced)
    with contextlib.suppress(asyncio.CancelledError):
        await run
    [parent] = w.slack.top_level("C1")
    assert w.slack.thread(parent.ts) == []
    assert await catch_up(w.restart()) == ["C1"]
    assert len(w.slack.top_level("C1")) == 1
    [reply] = w.slack.thread(parent.ts)
    assert "Rewrite the scheduler" in reply.text
    assert await catch_up(w.restart()) == []


async def test_a_60_commit_day_posts_valid_split_messages(make_world) -> None:
    w = make_world()
    w.github.add_history("o/r", 60, start=datetime.now(UTC) - timedelta(hours=3), step=timedelta(minutes=2))
    [outcome] = await w.digester.run()
    assert outcome.posted
    posts = w.slack.calls_to("chat.postMessage")
    assert posts and all(c.error is None for c in posts)  # the fake rejects blocks beyond Slack's limits
    text = " ".join(str(m.blocks) for m in w.slack.top_level("C1"))
    assert "61 commits" in text
