"""`/digest subscribe|unsubscribe|list|run|status|overview|help`: a channel's subscriptions and digests."""

from __future__ import annotations

import logging

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.context.respond.async_respond import AsyncRespond

from bot import subscriptions
from bot.listeners.common import app_ctx
from bot.overview import OVERVIEW_USAGE, overview_answer
from bot.runtime import Context
from bot.scheduler import ChannelOutcome
from bot.slack.answers import one_line
from bot.status import channel_status
from bot.subscriptions import SUBSCRIBE_USAGE, UsageError

log = logging.getLogger(__name__)
HELP = "\n".join(
    [
        "*/digest* commands:",
        f"• `{SUBSCRIBE_USAGE}`: follow a repository in this channel",
        "• `/digest unsubscribe owner/repo`: stop following it",
        "• `/digest list`: what this channel follows",
        "• `/digest run`: post the digest to this channel now",
        "• `/digest status`: last runs, failures, pending analyses, alerts, rate limits, usage",
        f"• `{OVERVIEW_USAGE}`: a day at a glance (themes, what needs attention), from past digests",
    ]
)


def _list(ctx: Context, channel: str) -> str:
    subs = subscriptions.channel_subscriptions(ctx.db, channel)
    if not subs:
        return "This channel follows no repository yet. " + f"`{SUBSCRIBE_USAGE}`"
    return "This channel follows:\n" + "\n".join(f"• {one_line(subscriptions.describe(s))}" for s in subs)


def _subscribe(ctx: Context, channel: str, user: str | None, args: list[str]) -> str:
    sub = subscriptions.parse_subscribe(channel, args)
    subscriptions.subscribe(ctx.db, sub, user)
    return (
        f"Subscribed: {one_line(subscriptions.describe(sub))}. The next digest in this channel includes it."
    )


def _unsubscribe(ctx: Context, channel: str, args: list[str]) -> str:
    if len(args) != 1:
        raise UsageError("Usage: `/digest unsubscribe owner/repo`")
    if subscriptions.unsubscribe(ctx.db, channel, args[0]):
        return f"Unsubscribed from {one_line(args[0])}."
    return f"This channel does not follow {one_line(args[0])}. Try `/digest list`."


def _outcome_text(outcomes: list[ChannelOutcome] | None) -> str:
    if outcomes is None:
        return "A digest is already running; try `/digest run` again when it has finished."
    o = outcomes[0]
    if o.busy:
        return "A digest for this channel and day is being posted by another process."
    if o.error:
        return f"The digest could not be posted: {one_line(o.error)}"
    return (
        "Digest posted."
        if o.posted
        else "Nothing new to post (today's digest may already be in this channel)."
    )


async def _run(ctx: Context, channel: str, respond: AsyncRespond) -> None:
    try:
        text = _outcome_text(await ctx.digester.run([channel]))
    except Exception as e:
        log.exception("/digest run in %s failed", channel)
        text = f"The digest failed ({type(e).__name__}); the details are in the bot's log."
    await respond(text=text, response_type="ephemeral")


async def digest_command(
    ack: AsyncAck, command: dict, respond: AsyncRespond, context: AsyncBoltContext
) -> None:
    """Manage this channel's subscriptions, post its digest now, or show the bot's status."""
    ctx = app_ctx(context)
    channel = command.get("channel_id") or ""
    try:
        args = subscriptions.split_args(command.get("text") or "")
        sub, rest = (args[0].lower(), args[1:]) if args else ("help", [])
        if sub == "run":
            if not subscriptions.channel_subscriptions(ctx.db, channel):
                await ack(text=_list(ctx, channel))
                return
            await ack(text="Building the digest for this channel…")
            ctx.spawn(_run(ctx, channel, respond))
            return
        if sub == "subscribe":
            text = _subscribe(ctx, channel, command.get("user_id"), rest)
        elif sub == "unsubscribe":
            text = _unsubscribe(ctx, channel, rest)
        elif sub == "list":
            text = _list(ctx, channel)
        elif sub == "status":
            text = channel_status(ctx, channel)
        elif sub == "overview":
            text = overview_answer(ctx.db, ctx.settings, channel, rest)
        elif sub == "help":
            text = HELP
        else:
            text = f"Unknown subcommand `{one_line(sub)}`.\n{HELP}"
    except UsageError as e:
        text = one_line(str(e))
    except Exception as e:
        log.exception("/digest %r failed", (command.get("text") or "")[:80])
        text = f"Sorry, that failed ({type(e).__name__}); the details are in the bot's log."
    await ack(text=text)
