"""The weekly post: DIGEST_WEEKLY_SCHEDULE (off by default), catching up a missed week, and `/digest week`."""

from __future__ import annotations

import datetime as dt
import logging
import zoneinfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from analysis.state import DeliveryStatus, Subscription
from analysis.store import deliveries as delivery_store
from analysis.weekly.run import run_week
from analysis.weekly.week_types import Week, week_id
from bot import schedule
from bot.scheduler import Digester
from bot.slack.delivery import PostStatus
from bot.slack.weekly import post_week, week_target
from bot.subscriptions import channel_subscriptions, subscribed_channels

log = logging.getLogger(__name__)


def reported_week(settings_tz: str, when: dt.datetime | None = None) -> str:
    """The week a weekly post made at `when` reports: the ISO week of the day before (Monday -> last week)."""
    now = (when or dt.datetime.now(dt.UTC)).astimezone(zoneinfo.ZoneInfo(settings_tz))
    return week_id(now.date() - dt.timedelta(days=1))


async def channel_weeks(digester: Digester, channel: str, week: str, repo: str | None = None) -> list[Week]:
    """The week of the repositories `channel` follows (DIGEST_REPOS when none), or of `repo` alone."""
    s = digester.settings
    subs = channel_subscriptions(digester.db, channel) or [Subscription(channel, r) for r in s.digest_repos]
    repos = sorted({x.repo for x in subs})
    if repo:  # only a repository this channel follows
        repos = [r for r in repos if r.lower() == repo.lower() or r.lower().endswith("/" + repo.lower())]
    return await run_week(digester.db, s.pipeline_config(repos), week) if repos else []


async def post_weeks(
    digester: Digester, week: str | None = None, channels: list[str] | None = None
) -> dict[str, PostStatus]:
    """Post `week` (default: the week just ended) to each subscribed channel once; status by channel."""
    week = week or reported_week(digester.settings.digest_timezone)
    out: dict[str, PostStatus] = {}
    async with digester.lock:  # never beside a daily digest
        for channel in channels if channels is not None else subscribed_channels(digester.db):
            try:
                record = delivery_store.get_delivery(digester.db, week_target(channel), week)
                if record is not None and record.status is DeliveryStatus.POSTED:
                    out[channel] = PostStatus.ALREADY_POSTED
                    continue
                weeks = await channel_weeks(digester, channel, week)
                if not weeks:
                    continue
                lang = digester.settings.digest_language
                out[channel] = await post_week(digester.client, digester.db, channel, week, weeks, lang)
            except Exception:  # one bad channel never stops the others
                log.exception("the week %s for %s failed", week, channel)
                out[channel] = PostStatus.FAILED
    return out


async def catch_up_week(digester: Digester, now: dt.datetime | None = None) -> dict[str, PostStatus]:
    """Post the week whose scheduled post was missed while the bot was down (once per channel and week)."""
    expr = digester.settings.digest_weekly_schedule
    if not expr:
        return {}
    now = now or dt.datetime.now(dt.UTC)
    fired = schedule.last_fire_time(schedule.parse(expr, digester.settings.digest_timezone), now)
    if fired is None or now - fired > dt.timedelta(days=7):
        return {}
    return await post_weeks(digester, reported_week(digester.settings.digest_timezone, fired))


def add_weekly_job(sched: AsyncIOScheduler, digester: Digester) -> bool:
    """Schedule the weekly post on DIGEST_WEEKLY_SCHEDULE; False when it is off."""
    expr = digester.settings.digest_weekly_schedule
    if not expr:
        return False
    trig = schedule.parse(expr, digester.settings.digest_timezone)
    sched.add_job(
        post_weeks,
        trig,
        args=[digester],
        id="weekly",
        max_instances=1,
        coalesce=True,
        misfire_grace_time=3600,
    )
    return True
