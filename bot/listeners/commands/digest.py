"""`/digest subscribe|unsubscribe|list|run|status|overview|uses|impact|help`: a channel's subscriptions and digests."""

from __future__ import annotations

import logging

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.context.respond.async_respond import AsyncRespond

from analysis.pipeline import today
from analysis.strings import t
from analysis.weekly.week_types import week_id
from bot import subscriptions
from bot.listeners.common import app_ctx
from bot.past_overview import OVERVIEW_USAGE, overview_answer
from bot.runtime import Context
from bot.scheduler import ChannelOutcome
from bot.slack.answers import one_line
from bot.slack.mrkdwn import truncate
from bot.slack.weekly import week_message
from bot.status import channel_status
from bot.subscriptions import SUBSCRIBE_USAGE, UsageError
from bot.team_code import IMPACT_USAGE, chosen_code, radar_answer, radar_lines, uses_answer
from bot.weekly import channel_weeks

log = logging.getLogger(__name__)


def help_text(lang: str) -> str:
    """The list of /digest subcommands."""
    return "\n".join(
        [
            t(lang, "help_title"),
            f"• `{SUBSCRIBE_USAGE}`: {t(lang, 'help_subscribe')}",
            f"• `/digest unsubscribe owner/repo`: {t(lang, 'help_unsubscribe')}",
            f"• `/digest list`: {t(lang, 'help_list')}",
            f"• `/digest run`: {t(lang, 'help_run')}",
            f"• `/digest status`: {t(lang, 'help_status')}",
            f"• `{OVERVIEW_USAGE}`: {t(lang, 'help_overview')}",
            f"• `/digest week [repo]`: {t(lang, 'help_week')}",
            f"• `/digest uses [name]`: {t(lang, 'help_uses')}",
            f"• `{IMPACT_USAGE}`: {t(lang, 'help_impact')}",
        ]
    )


def _list(ctx: Context, channel: str, lang: str) -> str:
    subs = subscriptions.channel_subscriptions(ctx.db, channel)
    if not subs:
        return t(lang, "follows_nothing", usage=f"`{SUBSCRIBE_USAGE}`")
    return t(lang, "follows") + "\n" + "\n".join(f"• `{one_line(subscriptions.describe(s))}`" for s in subs)


def _subscribe(ctx: Context, channel: str, user: str | None, args: list[str], lang: str) -> str:
    sub = subscriptions.parse_subscribe(channel, args)
    subscriptions.subscribe(ctx.db, sub, user)
    return t(lang, "subscribed", what=one_line(subscriptions.describe(sub)))


def _unsubscribe(ctx: Context, channel: str, args: list[str], lang: str) -> str:
    if len(args) != 1:
        raise UsageError("usage_unsubscribe")
    if subscriptions.unsubscribe(ctx.db, channel, args[0]):
        return t(lang, "unsubscribed", repo=one_line(args[0]))
    return t(lang, "not_following", repo=one_line(args[0]))


def _digest_outcome_text(outcomes: list[ChannelOutcome] | None, lang: str = "en") -> str:
    if outcomes is None:
        return t(lang, "busy")
    o = outcomes[0]
    if o.busy:
        return t(lang, "busy_elsewhere")
    if o.error:
        return t(lang, "not_posted", error=one_line(o.error))
    if o.already:
        return t(lang, "already_posted")
    return t(lang, "posted" if o.posted else "nothing_new")


async def _run(ctx: Context, channel: str, respond: AsyncRespond) -> None:
    lang = ctx.settings.digest_language
    try:
        text = _digest_outcome_text(await ctx.digester.run([channel]), lang)
    except Exception as e:
        log.exception("/digest run in %s failed", channel)
        text = t(lang, "digest_failed", error=type(e).__name__)
    await respond(text=text, response_type="ephemeral")


async def _week(ctx: Context, channel: str, args: list[str], respond: AsyncRespond) -> None:
    """Answer `/digest week [repo]` with this week's post (shown to the asker; the scheduled post is separate)."""
    lang = ctx.settings.digest_language
    try:
        wk = week_id(today(ctx.settings.digest_timezone))
        weeks = await channel_weeks(ctx.digester, channel, wk, args[0] if args else None)
        if not weeks:
            await respond(text=_list(ctx, channel, lang), response_type="ephemeral")
            return
        msg = week_message(weeks, lang)
        await respond(text=msg.text, blocks=msg.blocks, response_type="ephemeral")
    except Exception as e:
        log.exception("/digest week in %s failed", channel)
        await respond(text=t(lang, "digest_failed", error=type(e).__name__), response_type="ephemeral")


async def _impact(ctx: Context, channel: str, args: list[str], respond: AsyncRespond) -> None:
    """The radar since a pin, answered in the channel when it is ready."""
    repo = next((a for a in args if "/" in a), None)
    since = next((a for a in args if a != repo), None)
    code = chosen_code(ctx.settings, ctx.db, channel)
    answer = await radar_answer(ctx.settings, ctx.db, code, repo, since)
    text = "\n".join(radar_lines(answer, ctx.settings.digest_language, mrkdwn=True))
    await respond(text=truncate(text, 3000))


async def digest_command(
    ack: AsyncAck, command: dict, respond: AsyncRespond, context: AsyncBoltContext
) -> None:
    """Manage this channel's subscriptions, post its digest now, or show the bot's status."""
    ctx = app_ctx(context)
    lang = ctx.settings.digest_language
    channel = command.get("channel_id") or ""
    try:
        args = subscriptions.split_args(command.get("text") or "")
        sub, rest = (args[0].lower(), args[1:]) if args else ("help", [])
        if sub == "run":
            if not subscriptions.channel_subscriptions(ctx.db, channel):
                await ack(text=_list(ctx, channel, lang))
                return
            await ack(text=t(lang, "building"))
            ctx.spawn(_run(ctx, channel, respond))
            return
        if sub == "week":
            await ack(text=t(lang, "building"))
            ctx.spawn(_week(ctx, channel, rest, respond))
            return
        if sub == "subscribe":
            text = _subscribe(ctx, channel, command.get("user_id"), rest, lang)
        elif sub == "unsubscribe":
            text = _unsubscribe(ctx, channel, rest, lang)
        elif sub == "list":
            text = _list(ctx, channel, lang)
        elif sub == "status":
            text = channel_status(ctx, channel)
        elif sub == "overview":
            text = overview_answer(ctx.db, ctx.settings, channel, rest)
        elif sub == "uses":
            text = uses_answer(ctx.settings, ctx.db, channel, rest)
        elif sub == "impact":
            await ack(text=t(lang, "building"))
            ctx.spawn(_impact(ctx, channel, rest, respond))
            return
        elif sub == "help":
            text = help_text(lang)
        else:
            text = t(lang, "unknown_subcommand", sub=one_line(sub)) + "\n" + help_text(lang)
    except UsageError as e:
        text = one_line(e.text(lang))
    except Exception as e:
        log.exception("/digest %r failed", (command.get("text") or "")[:80])
        text = t(lang, "sorry", error=type(e).__name__)
    await ack(text=text)
