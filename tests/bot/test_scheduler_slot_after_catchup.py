"""`serve` started shortly before the day's scheduled time: the start-up catch-up posts, and the slot still runs."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta

from analysis.store.deliveries import latest_delivery
from bot import subscriptions
from bot.scheduler import Digester, catch_up, make_scheduler
from bot.settings import load_settings
from bot.slack.client import make_client
from storage.db import open_db
from tests.fakes.github import FakeGitHub
from tests.fakes.slack import FakeSlack


async def test_the_scheduled_slot_after_a_start_up_catch_up_posts_what_is_new_since(tmp_path) -> None:
    with FakeSlack() as slack, FakeGitHub() as github:
        github.add_repo("o/r")
        github.add_commit(
            "o/r", "Add the MoE dispatcher (#1)", committed_at=datetime.now(UTC) - timedelta(hours=2)
        )
        now = datetime.now(UTC)
        slot = now + timedelta(minutes=3)  # today's scheduled time, shortly after the start (2-3 minutes away)
        settings = load_settings(
            slack_bot_token=slack.token,
            slack_api_url=slack.url,
            github_api_url=github.url,
            digest_db_path=str(tmp_path / "s.db"),
            digest_channel="C1",
            digest_repos="o/r",
            digest_schedule=f"{slot.minute} {slot.hour} * * *",
        )
        db = open_db(settings.digest_db_path)
        subscriptions.seed(db, settings)
        digester = Digester(settings, db, make_client(slack.token, settings.slack_api_url))
        sched = make_scheduler(digester)
        sched.start()
        try:
            assert await catch_up(digester) == ["C1"]  # yesterday's slot was missed: posted at start-up
            [first] = slack.top_level("C1")
            assert "Add the MoE dispatcher" in str(first.blocks)
            pushed = github.add_commit("o/r", "Fix the router (#2)", committed_at=datetime.now(UTC)).sha
            job = sched.get_job("digest")
            assert job.next_run_time.astimezone(UTC).replace(second=0, microsecond=0) == slot.replace(
                second=0, microsecond=0
            )
            job.modify(
                next_run_time=datetime.now(UTC) + timedelta(seconds=2)
            )  # the slot, a few seconds ahead
            deadline = time.monotonic() + 30
            while len(slack.top_level("C1")) < 2:
                assert time.monotonic() < deadline, "the scheduled slot posted nothing after the catch-up"
                await asyncio.sleep(0.05)
            follow_up = slack.top_level("C1")[1]
            assert "Fix the router" in str(follow_up.blocks) and "Add the MoE dispatcher" not in str(
                follow_up.blocks
            )
            while pushed not in latest_delivery(db, "C1").shas and time.monotonic() < deadline:
                await asyncio.sleep(0.05)  # the follow-up's cards are posted in its thread before it is recorded
            assert pushed in latest_delivery(db, "C1").shas  # recorded: a later run does not post it again
        finally:
            sched.shutdown(wait=False)
            db.conn.close()
