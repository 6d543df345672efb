"""`/digest subscribe|unsubscribe|list|run|status|help`: a channel's subscriptions and digests."""

from __future__ import annotations

import datetime as dt
import logging

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.context.respond.async_respond import AsyncRespond

from bot import subscriptions
from bot.context import Context
from bot.listeners.common import app_ctx, one_line
from bot.scheduler import ChannelOutcome, trigger
from bot.status import status_data
from bot.subscriptions import SUBSCRIBE_USAGE, UsageError
from storage.deliveries import active_alerts, latest_digest
from storage.runs import usage_since

log = logging.getLogger(__name__)
HELP = "\n".join(
    [
        "*/digest* commands:",
        f"• `{SUBSCRIBE_USAGE}`: follow a repository in this channel",
        "• `/digest unsubscribe owner/repo`: stop following it",
        "• `/digest list`: what this channel follows",
        "• `/digest run`: post the digest to this channel now",
        "• `/digest status`: last runs, failures, pending analyses, alerts, rate limits, usage",
    ]
)


def _list(ctx: Context, channel: str) -> str:
    subs = subscriptions.channel_subscriptions(ctx.db, channel)
    if not subs:
        return "This channel follows no repository yet. " + f"`{SUBSCRIBE_USAGE}`"
    return "This channel follows:\n" + "\n".join(f"• {one_line(s.describe())}" for s in subs)


def _subscribe(ctx: Context, channel: str, user: str | None, args: list[str]) -> str:
    sub = subscriptions.parse_subscribe(channel, args)
    subscriptions.subscribe(ctx.db, sub, user)
    return f"Subscribed: {one_line(sub.describe())}. The next digest in this channel includes it."


def _unsubscribe(ctx: Context, channel: str, args: list[str]) -> str:
    if len(args) != 1:
        raise UsageError("Usage: `/digest unsubscribe owner/repo`")
    if subscriptions.unsubscribe(ctx.db, channel, args[0]):
        return f"Unsubscribed from {one_line(args[0])}."
    return f"This channel does not follow {one_line(args[0])}. Try `/digest list`."


def _status(ctx: Context, channel: str) -> str:
    s = ctx.settings
    now = dt.datetime.now(dt.UTC)
    nxt = trigger(s).get_next_fire_time(None, now)
    lines = [
        f"*Schedule* `{s.digest_schedule}` ({s.digest_timezone}), next {nxt:%Y-%m-%d %H:%M %Z}" if nxt else ""
    ]
    last = latest_digest(ctx.db, channel)
    if last:
        lines.append(
            f"*Last digest* {last['date']}: {last['status']}"
            + (f" ({one_line(last['error'])})" if last.get("error") else "")
        )
    else:
        lines.append("*Last digest* none yet in this channel")
    if ctx.digester.busy:
        lines.append("A digest is running now.")
    outcome = ctx.digester.last.get(channel)
    if outcome and outcome.error:
        lines.append(f"*Last run failed* {one_line(outcome.error)}")
    alert_channels = {channel, s.digest_alert_channel or channel}
    for alert in (a for c in sorted(alert_channels) for a in active_alerts(ctx.db, c)):
        lines.append(f"*Alert ({one_line(alert['kind'])})* {one_line(alert['text'] or '')}")
    names = {sub.name for sub in subscriptions.channel_subscriptions(ctx.db, channel)}
    for r in status_data(ctx.db)["repos"]:
        if r["repo"] not in names:
            continue
        run, counts = r["last_run"], r["analyses"]
        text = f"*{one_line(r['repo'])}*"
        if run:
            text += f" last run {run['finished_at']} {run['status']}, {run['commits']} commits"
            if run["error"]:
                text += f": {one_line(run['error'])}"
        text += f"; failed {counts.get('failed', 0)}, pending {counts.get('pending', 0)}"
        if r["rate_limit_remaining"] is not None:
            text += f"; GitHub rate limit {r['rate_limit_remaining']} left"
        lines.append(text)
    u = usage_since(ctx.db, (now - dt.timedelta(days=1)).isoformat(timespec="seconds"))
    lines.append(
        f"*Last 24 h* {u['runs']} repository runs ({u['errors']} failed), {u['llm_calls']} LLM calls, "
        f"{u['prompt_tokens']} prompt + {u['completion_tokens']} completion tokens"
    )
    llm = f"LLM {s.digest_llm_model}" if s.llm_enabled else "no LLM configured (rule-based cards)"
    lines.append(f"*Provider* {llm}")
    return "\n".join(line for line in lines if line)


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
            text = _status(ctx, channel)
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
