"""The compact analysis card a shared commit link unfurls into, within Block Kit's limits."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    ContextBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)

from analysis.facts import EMOJI, brief_note, commit_url, short, summary_lines
from analysis.models import DigestEntry
from analysis.report.lineage_lines import lineage_lines
from analysis.strings import t
from bot.slack.mrkdwn import channel_ref, escape, link, truncate

FULL_ANALYSIS_ACTION = "unfurl_full_analysis"
SUMMARY_LINES = 2


def button_value(entry: DigestEntry, thread_ts: str | None = None) -> str:
    """The "Full analysis" button's value: `repo@sha`, then the thread to answer in when known."""
    value = f"{entry.commit.repo}@{entry.commit.sha}"
    return f"{value} {thread_ts}" if thread_ts else value


def parse_button_value(value: str) -> tuple[str, str, str | None]:
    """The repository, SHA and thread (or None) a "Full analysis" button names."""
    target, _, thread = (value or "").partition(" ")
    repo, _, sha = target.rpartition("@")
    return repo, sha, thread.strip() or None


def unfurl_card(entry: DigestEntry, *, language: str = "en", thread_ts: str | None = None) -> dict[str, Any]:
    """One link's unfurl: title, importance, change type, two summary lines and a "Full analysis" button."""
    c, a = entry.commit, entry.analysis
    level = t(language, a.importance.value).lower()
    title = f"{EMOJI[a.importance]} *{link(commit_url(c), short(c.title or c.short_sha, 200))}*"
    meta = [escape(short(c.repo, 100)), f"`{c.short_sha}`", t(language, "level_importance", level=level)]
    if a.card and a.card.change_type:
        meta.append(escape(short(a.card.change_type, 60)))
    lines = lineage_lines(entry, language, esc=escape, chan=channel_ref)
    lines += [f"• {escape(short(s, 300))}" for s in summary_lines(entry)[:SUMMARY_LINES]]
    if note := brief_note(a.status, language):
        lines.append(f"_{note}_")
    button = ButtonElement(
        text=PlainTextObject(text=t(language, "full_analysis")),
        action_id=FULL_ANALYSIS_ACTION,
        value=button_value(entry, thread_ts)[:2000],
    )
    blocks = [
        SectionBlock(text=MarkdownTextObject(text=truncate(title, 3000))),
        ContextBlock(elements=[MarkdownTextObject(text=truncate(" · ".join(meta), 2000))]),
        SectionBlock(text=MarkdownTextObject(text=truncate("\n".join(lines), 3000))),
        ActionsBlock(elements=[button]),
    ]
    fallback = t(language, "analysis_of", sha=c.short_sha, title=escape(short(c.title, 200)))
    return {"color": "#24292e", "fallback": fallback, "blocks": [b.to_dict() for b in blocks]}
