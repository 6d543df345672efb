"""What the App Home shows a user: channels followed, last and next digests, provider health, LLM usage."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections import Counter
from typing import TYPE_CHECKING

from slack_sdk.web.async_client import AsyncWebClient

from analysis.llm import cost_usd
from analysis.models import Importance
from analysis.state import Delivery
from analysis.store import analyses as analysis_store
from analysis.store import deliveries as delivery_store
from analysis.store import repositories as repo_store
from analysis.store import runs as run_store
from analysis.strings import t
from bot import subscriptions
from bot.scheduler import ChannelOutcome, trigger
from bot.slack.answers import one_line
from bot.slack.client import PostError, call, post_message, send
from bot.slack.home import USAGE_DAYS, ChannelHome, HomeData, home_view

if TYPE_CHECKING:
    from bot.runtime import Context

log = logging.getLogger(__name__)
MAX_CHANNELS = 40  # channels looked at in detail (membership, permalinks); the rest are counted
MEMBER_PAGES = 10  # users.conversations pages read (up to 9,990 channels)
PERMALINK_CALLS = 4  # chat.getPermalink calls at once


async def user_channels(client: AsyncWebClient, user: str) -> set[str]:
    """The public and private channels `user` is in that the app can see (users.conversations); empty when refused."""
    found: set[str] = set()
    cursor = None
    for _ in range(MEMBER_PAGES):
        try:
            data = await call(
                client,
                "users_conversations",
                user=user,
                types="public_channel,private_channel",
                exclude_archived=True,
                limit=999,
                cursor=cursor,
            )
        except PostError as e:
            log.info("the channels of %s could not be listed: %s", user, e.code)
            return found
        found |= {str(c["id"]) for c in data.get("channels") or [] if c.get("id")}
        cursor = (data.get("response_metadata") or {}).get("next_cursor")
        if not cursor:
            break
    return found


def archive_link(channel: str, ts: str) -> str:
    """A link to a message built from its channel and ts, for when no permalink could be had."""
    return f"https://slack.com/archives/{channel}/p{ts.replace('.', '')}"


async def _permalink(client: AsyncWebClient, channel: str, ts: str, limit: asyncio.Semaphore) -> str:
    try:
        async with limit:
            data = await call(client, "chat_getPermalink", channel=channel, message_ts=ts)
    except PostError:
        data = {}
    return str(data.get("permalink") or archive_link(channel, ts))


def _levels(ctx: Context, delivery: Delivery) -> dict[Importance, int]:
    counts: Counter[Importance] = Counter()
    for repo in delivery.repos:
        for analysis in analysis_store.get_analyses(ctx.db, repo, delivery.shas).values():
            counts[analysis.importance] += 1
    return {lvl: counts[lvl] for lvl in (Importance.HIGH, Importance.MEDIUM, Importance.LOW) if counts[lvl]}


async def _channel(
    ctx: Context, client: AsyncWebClient, channel: str, member: bool, limit: asyncio.Semaphore
) -> ChannelHome:
    home = ChannelHome(channel, subscriptions.channel_subscriptions(ctx.db, channel), can_post=member)
    home.last = delivery_store.latest_delivery(ctx.db, channel)
    if home.last is not None:
        home.levels = _levels(ctx, home.last)
        if home.last.message_ts:
            home.link = await _permalink(client, channel, home.last.message_ts, limit)
    return home


async def home_data(ctx: Context, client: AsyncWebClient, user: str) -> HomeData:
    """Gather the Home tab of `user`: reads the database, and asks Slack for memberships and permalinks."""
    s, now = ctx.settings, dt.datetime.now(dt.UTC)
    names = subscriptions.subscribed_channels(ctx.db)
    mine, limit = await user_channels(client, user), asyncio.Semaphore(PERMALINK_CALLS)
    shown = names[:MAX_CHANNELS]
    channels = list(await asyncio.gather(*(_channel(ctx, client, c, c in mine, limit) for c in shown)))
    usage = run_store.usage_since(ctx.db, (now - dt.timedelta(days=USAGE_DAYS)).isoformat(timespec="seconds"))
    llm = ctx.config.llm
    return HomeData(
        schedule=s.digest_schedule,
        timezone=s.digest_timezone,
        next_run=trigger(s).get_next_fire_time(None, now),
        channels=channels,
        more_channels=max(len(names) - MAX_CHANNELS, 0),
        alerts=delivery_store.active_alerts(ctx.db),
        rate_limits=[r for r in repo_store.list_repositories(ctx.db) if r.rate_limit_remaining is not None],
        llm_model=s.digest_llm_model if llm else None,
        usage=usage,
        cost=cost_usd(usage.prompt_tokens, usage.completion_tokens, llm) if llm else None,
        running=ctx.digester.busy,
    )


async def publish_home(ctx: Context, client: AsyncWebClient, user: str) -> None:
    """Publish `user`'s Home tab (views.publish); raises PostError when Slack refuses it."""
    view = home_view(await home_data(ctx, client, user), ctx.settings.digest_language)
    await call(client, "views_publish", user_id=user, view=view)


def _outcome_text(ctx: Context, outcomes: list[ChannelOutcome] | None) -> str:
    lang = ctx.settings.digest_language
    if outcomes is None:
        return t(lang, "home_busy")
    o = outcomes[0]
    if o.error:
        return t(lang, "home_failed", error=one_line(o.error))
    return t(lang, "home_posted" if o.posted else "home_nothing")


async def post_from_home(ctx: Context, client: AsyncWebClient, user: str, channel: str) -> None:
    """The Home tab's "Post digest now": post `channel`'s digest if `user` is in it, and tell them how it went."""
    lang = ctx.settings.digest_language
    if not subscriptions.channel_subscriptions(ctx.db, channel):
        await post_message(client, user, text=t(lang, "home_not_subscribed"))
        return
    if channel not in await user_channels(client, user):
        await post_message(client, user, text=t(lang, "home_not_member"))
        return
    await send(client, "chat_postEphemeral", channel, user=user, text=t(lang, "home_building"))
    text = _outcome_text(ctx, await ctx.digester.run([channel]))
    await send(client, "chat_postEphemeral", channel, user=user, text=text)
    await publish_home(ctx, client, user)
