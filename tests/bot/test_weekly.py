"""The week in one post: built from the stored days of a real clone, posted once per channel and week, also
across a restart and after an interrupted post, within Slack's limits and mention-safe."""

from __future__ import annotations

import datetime as dt

from analysis.pipeline import run_digest
from bot import subscriptions
from bot.scheduler import Digester
from bot.settings import load_settings
from bot.slack.client import make_client
from bot.slack.delivery import PostStatus
from bot.weekly import catch_up_week, post_weeks, reported_week
from storage.db import open_db
from tests.fakes.slack import FakeSlack, validate_blocks
from tests.gitrepo import GitRepo, git_env

WEEK = "2026-W04"


def _clone(tmp_path) -> GitRepo:
    repo = GitRepo(tmp_path / "up")
    repo.commit("Initial import", {"README.md": "hi\n"}, date="2026-01-10T08:00:00+00:00")
    sha = repo.commit(
        "Add <!channel> kernel @here (#10)", {"pkg/k.py": "X = 1\n"}, date="2026-01-20T09:00:00+00:00"
    )
    stamp = "2026-01-21T09:00:00+00:00"
    repo.git("revert", "--no-edit", sha, env=git_env(GIT_AUTHOR_DATE=stamp, GIT_COMMITTER_DATE=stamp))
    return repo


async def test_the_week_is_posted_once_across_a_restart(tmp_path):
    repo = _clone(tmp_path)
    with FakeSlack() as slack:
        settings = load_settings(
            slack_bot_token=slack.token,
            slack_api_url=slack.url,
            digest_db_path=str(tmp_path / "w.db"),
            digest_channel="C1",
            digest_repos=str(repo.path),
            digest_weekly_schedule="0 9 * * 1",
        )
        db = open_db(settings.digest_db_path)
        subscriptions.seed(db, settings)
        cfg = settings.pipeline_config()
        for day in (dt.date(2026, 1, 20), dt.date(2026, 1, 21)):
            await run_digest(db, cfg, day=day, target="C1", advance_cursor=False)

        first = Digester(settings, db, make_client(slack.token, settings.slack_api_url))
        assert await post_weeks(first, WEEK) == {"C1": PostStatus.POSTED}
        again = Digester(
            settings, open_db(settings.digest_db_path), make_client(slack.token, settings.slack_api_url)
        )
        assert await post_weeks(again, WEEK) == {"C1": PostStatus.ALREADY_POSTED}
        monday = dt.datetime(
            2026, 1, 26, 10, tzinfo=dt.UTC
        )  # after Monday 09:00: the catch-up finds it posted
        assert reported_week(settings.digest_timezone, monday) == WEEK
        assert await catch_up_week(again, monday) == {"C1": PostStatus.ALREADY_POSTED}

        [msg] = slack.top_level("C1")
        assert validate_blocks(msg.blocks) is None
        slack.assert_no_mentions()
        text = str(msg.blocks)
        assert "Weekly Report (2026-W04" in text and "2 commits" in text


async def test_an_interrupted_week_post_is_found_not_posted_again(tmp_path):
    repo = _clone(tmp_path)
    with FakeSlack() as slack:
        settings = load_settings(
            slack_bot_token=slack.token,
            slack_api_url=slack.url,
            digest_db_path=str(tmp_path / "w.db"),
            digest_channel="C1",
            digest_repos=str(repo.path),
        )
        db = open_db(settings.digest_db_path)
        subscriptions.seed(db, settings)
        await run_digest(
            db, settings.pipeline_config(), day=dt.date(2026, 1, 20), target="C1", advance_cursor=False
        )
        slack.accept_then_fail(1)  # Slack keeps the message, the answer is lost
        digester = Digester(settings, db, make_client(slack.token, settings.slack_api_url))
        assert (await post_weeks(digester, WEEK))["C1"] is PostStatus.FAILED
        assert (await post_weeks(digester, WEEK))["C1"] is PostStatus.ALREADY_POSTED
        assert len(slack.top_level("C1")) == 1
