"""The App Home tab as a Block Kit view: at most 100 blocks, every untrusted text escaped."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    DividerBlock,
    HeaderBlock,
    PlainTextObject,
)

from analysis.facts import EMOJI
from analysis.strings import t
from bot.slack.answers import one_line
from bot.slack.block_kit import button_element, context_block, section_block
from bot.slack.mrkdwn import channel_ref, link
from bot.subscriptions import describe

if TYPE_CHECKING:
    from analysis.models import Importance, Usage
    from analysis.state import Alert, Delivery, RepositoryState, Subscription

MAX_VIEW_BLOCKS = 100
POST_NOW_ACTION = "home_post_digest"
HELP_ACTION = "home_help"
MAX_ALERTS = 10
MAX_RATE_LIMITS = 10
USAGE_DAYS = 7


@dataclass
class ChannelHome:
    """One subscribed channel as the Home tab shows it."""

    channel: str
    subscriptions: list[Subscription]
    last: Delivery | None = None
    levels: dict[Importance, int] = field(default_factory=dict)  # the last digest's commits by importance
    link: str | None = None  # the last digest's message
    can_post: bool = False  # the user is in the channel


@dataclass
class HomeData:
    """Everything on one user's Home tab."""

    schedule: str
    timezone: str
    next_run: dt.datetime | None
    channels: list[ChannelHome]
    more_channels: int
    alerts: list[Alert]
    rate_limits: list[RepositoryState]
    llm_model: str | None
    usage: Usage
    cost: float | None
    running: bool = False
    usage_days: int = USAGE_DAYS


def _next_run_text(data: HomeData) -> str:
    if data.next_run is None:
        return "-"
    return data.next_run.astimezone(zoneinfo.ZoneInfo(data.timezone)).strftime("%Y-%m-%d %H:%M %Z")


def _channel_blocks(c: ChannelHome, data: HomeData, lang: str) -> list[Block]:
    follows = [f"• {one_line(describe(s))}" for s in c.subscriptions]
    button = button_element(t(lang, "home_post_now"), POST_NOW_ACTION, c.channel) if c.can_post else None
    head = section_block("\n".join([f"*{channel_ref(c.channel)}*", *follows]), button)
    if c.last is None:
        last = t(lang, "home_no_digest")
    else:
        last = t(lang, "home_last", date=one_line(c.last.date), status=one_line(c.last.status))
        parts = [t(lang, "commits", n=len(c.last.shas))]
        parts += [f"{EMOJI[lvl]} {n}" for lvl, n in c.levels.items()]
        if c.last.error:
            parts.append(f"⚠️ {one_line(c.last.error)}")
        last = " · ".join([last, *parts])
        if c.link:
            last += f" · {link(c.link, t(lang, 'home_open'))}"
    return [head, context_block(f"{last} · {t(lang, 'home_next', when=_next_run_text(data))}")]


def _health_blocks(data: HomeData, lang: str) -> list[Block]:
    lines = [
        t(lang, "home_alert", kind=one_line(a.kind), channel=channel_ref(a.channel), text=one_line(a.text))
        for a in data.alerts[:MAX_ALERTS]
    ] or [t(lang, "home_no_alerts")]
    if len(data.alerts) > MAX_ALERTS:
        lines.append(t(lang, "more", n=len(data.alerts) - MAX_ALERTS))
    lines += [
        t(lang, "home_rate_limit", repo=one_line(r.repo), n=r.rate_limit_remaining)
        for r in data.rate_limits[:MAX_RATE_LIMITS]
    ]
    lines.append(
        t(lang, "home_llm", model=one_line(data.llm_model)) if data.llm_model else t(lang, "home_no_llm")
    )
    return [section_block(f"*{t(lang, 'home_health')}*\n" + "\n".join(lines))]


def _usage(data: HomeData, lang: str) -> list[Block]:
    u = data.usage
    line = t(
        lang,
        "home_usage_line",
        calls=u.llm_calls,
        prompt=u.prompt_tokens,
        completion=u.completion_tokens,
        runs=u.runs,
    )
    if data.cost is not None:
        line += " · " + t(lang, "home_cost", cost=data.cost)
    return [section_block(f"*{t(lang, 'home_usage', days=data.usage_days)}*\n{line}")]


def home_view(data: HomeData, language: str = "en") -> dict[str, Any]:
    """The Home tab view: channels (cut with a "+N more" line to stay within 100 blocks), health, usage."""
    lang = language
    head: list[Block] = [
        HeaderBlock(text=PlainTextObject(text=t(lang, "home_title"))),
        context_block(
            t(lang, "home_schedule", schedule=one_line(data.schedule), timezone=one_line(data.timezone))
        ),
    ]
    if data.running:
        head.append(context_block(t(lang, "home_running")))
    head += [DividerBlock(), section_block(f"*{t(lang, 'home_channels')}*")]
    tail: list[Block] = [DividerBlock(), *_health_blocks(data, lang), *_usage(data, lang)]
    tail.append(ActionsBlock(elements=[button_element(t(lang, "home_help"), HELP_ACTION, "help")]))
    room = MAX_VIEW_BLOCKS - len(head) - len(tail) - 1  # one line left for "+N more"
    body: list[Block] = []
    shown = 0
    for c in data.channels:
        blocks = _channel_blocks(c, data, lang)
        if len(body) + len(blocks) > room:
            break
        body += blocks
        shown += 1
    if not data.channels:
        body.append(section_block(t(lang, "home_no_channels")))
    more = len(data.channels) - shown + data.more_channels
    if more:
        body.append(context_block(t(lang, "home_more_channels", n=more)))
    return {"type": "home", "blocks": [b.to_dict() for b in [*head, *body, *tail]]}
