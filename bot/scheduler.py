"""The cron schedule, catching up a missed digest, and running channel digests one at a time."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import logging
import zoneinfo
from dataclasses import dataclass, field

import sqlite_utils
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.base import BaseTrigger
from slack_sdk.web.async_client import AsyncWebClient

from analysis.claims import digest_claim, held
from analysis.config import PipelineConfig
from analysis.pipeline import advance_cursors, run_digest, today
from analysis.redact import error_text, redact_opt
from analysis.state import DeliveryStatus, Subscription
from analysis.store import deliveries as delivery_store
from bot import schedule
from bot.schedule import last_fire_time
from bot.settings import Settings
from bot.slack.alerts import clear_alerts, post_alert
from bot.slack.client import post_message
from bot.slack.delivery import PostStatus, post_digest
from bot.subscriptions import channel_subscriptions, filter_digest, subscribed_channels
from bot.team_code import add_channel_impact
from storage.full import DiskFull, db_file, is_disk_full

log = logging.getLogger(__name__)
PROVIDER_ALERT = "provider"  # LLM or GitHub authentication / rate-limit trouble
POST_ALERT = "post"  # the digest could not be posted
ALREADY_POSTED = "the digest for this channel and day was already posted; nothing new since"
FOLLOWED_UP = "the digest for this channel and day was already posted; what is new since was posted after it"
BUSY = "a digest for this channel and day is being posted by another process; this run leaves it to that one"


@dataclass
class ChannelOutcome:
    """What one channel's digest run did."""

    channel: str
    posted: bool = False
    error: str | None = None
    alerts: list[str] = field(default_factory=list)
    busy: bool = False  # another process holds this channel's digest for the day
    already: bool = False  # the day's digest was posted earlier and nothing is new since
    followed_up: bool = False  # the day's digest was posted earlier; what is new since was posted after it


class Digester:
    """Builds, filters and posts channel digests, never two at once."""

    def __init__(self, settings: Settings, db: sqlite_utils.Database, client: AsyncWebClient):
        self.settings = settings
        self._config: tuple[Settings, PipelineConfig] | None = None
        self.db = db
        self.client = client
        self.lock = asyncio.Lock()
        self.last: dict[str, ChannelOutcome] = {}

    @property
    def config(self) -> PipelineConfig:
        """The pipeline configuration, built once from the settings; each run narrows its repositories."""
        if self._config is None or self._config[0] is not self.settings:
            self._config = (self.settings, self.settings.pipeline_config())
        return self._config[1]

    @property
    def busy(self) -> bool:
        """True while a digest is running."""
        return self.lock.locked()

    async def run(
        self, channels: list[str] | None = None, day: dt.date | None = None, *, wait: bool = False
    ) -> list[ChannelOutcome] | None:
        """Digest and post for `channels` (default: every subscribed channel).

        A digest already running makes this call wait for it when `wait` (the schedule and the catch-up:
        the delivery records keep a channel from being posted twice), else return None at once.
        """
        if self.lock.locked() and not wait:
            log.info("a digest is already running; this trigger is skipped")
            return None
        async with self.lock:
            outcomes = []
            for channel in channels if channels is not None else subscribed_channels(self.db):
                outcome = await self._run_channel(channel, day)
                self.last[channel] = outcome
                outcomes.append(outcome)
            return outcomes

    async def _run_channel(self, channel: str, day: dt.date | None) -> ChannelOutcome:
        date = (day or today(self.settings.digest_timezone)).isoformat()
        outcome = None
        try:
            async with held(self.db, digest_claim(channel, date)) as mine:  # one poster per channel and day
                if not mine:
                    log.info("%s: %s", channel, BUSY)
                    return ChannelOutcome(channel, busy=True)
                outcome = await self._digest_channel(channel, day)
        except Exception as e:  # the claim could not be taken or given back: only a full disk is expected
            if not is_disk_full(e):
                raise
            if outcome is None:
                outcome = ChannelOutcome(channel, error=str(DiskFull(db_file(self.db))))
                log.error("digest for %s stopped: %s", channel, outcome.error)
        return outcome

    async def _digest_channel(self, channel: str, day: dt.date | None) -> ChannelOutcome:
        outcome = ChannelOutcome(channel)
        alert_channel = self.settings.digest_alert_channel or channel
        try:
            subs = channel_subscriptions(self.db, channel) or [
                Subscription(channel, repo) for repo in self.settings.digest_repos
            ]
            if not subs:
                outcome.error = "this channel follows no repository and DIGEST_REPOS is empty"
                return outcome
            cfg = dataclasses.replace(self.config, repos=sorted({s.repo for s in subs}))
            digest = await run_digest(self.db, cfg, day=day, target=channel, advance_cursor=False)
            await add_channel_impact(self.settings, self.db, digest, cfg.source, channel)
            outcome.alerts = list(digest.alerts)
            result = await post_digest(
                self.client,
                self.db,
                filter_digest(digest, subs),
                channel,
                thread_level=self.settings.digest_thread_level,
                empty_day=self.settings.digest_empty_day,
            )
            outcome.posted = result.status in (PostStatus.POSTED, PostStatus.FOLLOWED_UP)
            outcome.already = result.status is PostStatus.ALREADY_POSTED
            outcome.followed_up = result.status is PostStatus.FOLLOWED_UP
            outcome.error = redact_opt(result.error)
        except Exception as e:  # one bad channel or repository never stops the bot
            if is_disk_full(e):  # said in one line: the next run, with space freed, loses nothing
                outcome.error = str(DiskFull(db_file(self.db)))
                log.error("digest for %s stopped: %s", channel, outcome.error)
            else:
                log.exception("digest for %s failed", channel)
                outcome.error = error_text(e)
            await self._alert(
                alert_channel, POST_ALERT, f"The digest for channel {channel} failed: {outcome.error}"
            )
            return outcome
        if outcome.error:
            await self._alert(
                alert_channel,
                POST_ALERT,
                f"The digest for channel {channel} could not be posted: {outcome.error}",
            )
            return outcome
        if day is None and result.status is not PostStatus.FAILED:
            advance_cursors(self.db, digest, channel)
        if outcome.alerts:
            await self._alert(alert_channel, PROVIDER_ALERT, "\n".join(dict.fromkeys(outcome.alerts)))
            await self._clear(alert_channel, [POST_ALERT])
        else:
            await self._clear(alert_channel, [PROVIDER_ALERT, POST_ALERT])
        return outcome

    async def _alert(self, channel: str, kind: str, text: str) -> None:
        try:
            await post_alert(self.client, self.db, channel, kind, text)
        except Exception as e:
            if not is_disk_full(e):
                log.exception("could not post the %s alert to %s", kind, channel)
                return
            try:  # the alert cannot be recorded on a full disk: posted as it is, once per failed run
                await post_message(self.client, channel, text=f"⚠️ *commit-digest alert ({kind})*\n{text}")
            except Exception as again:
                log.error("could not post the %s alert to %s: %s", kind, channel, error_text(again))

    async def _clear(self, channel: str, kinds: list[str]) -> None:
        try:
            await clear_alerts(self.client, self.db, channel, kinds)
        except Exception:
            log.exception("could not clear alerts in %s", channel)


def trigger(settings: Settings) -> BaseTrigger:
    """The trigger of DIGEST_SCHEDULE in DIGEST_TIMEZONE, with crontab's rules."""
    return schedule.parse(settings.digest_schedule, settings.digest_timezone)


def missed_channels(
    settings: Settings, db: sqlite_utils.Database, now: dt.datetime | None = None
) -> list[str]:
    """Channels whose digest for the last scheduled time has not been posted."""
    now = now or dt.datetime.now(dt.UTC)
    fired = last_fire_time(trigger(settings), now)
    if fired is None:
        return []
    day = fired.astimezone(zoneinfo.ZoneInfo(settings.digest_timezone)).date().isoformat()
    missed = []
    for channel in subscribed_channels(db):
        last = delivery_store.latest_delivery(db, channel)
        if last is None or last.date < day or (last.date == day and last.status is not DeliveryStatus.POSTED):
            missed.append(channel)
    return missed


async def catch_up(digester: Digester, now: dt.datetime | None = None) -> list[str]:
    """Post once the digests missed while the bot was down; return the channels caught up."""
    missed = missed_channels(digester.settings, digester.db, now)
    if missed:
        log.info("catching up the missed digest for %s", ", ".join(missed))
        await digester.run(missed, wait=True)
    return missed


def make_scheduler(digester: Digester) -> AsyncIOScheduler:
    """An in-process scheduler running every channel's digest on DIGEST_SCHEDULE."""
    sched = AsyncIOScheduler(timezone=zoneinfo.ZoneInfo(digester.settings.digest_timezone))
    sched.add_job(
        digester.run,
        trigger(digester.settings),
        kwargs={"wait": True},
        id="digest",
        max_instances=1,
        coalesce=True,
        misfire_grace_time=3600,
    )
    return sched
