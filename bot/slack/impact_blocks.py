"""Block Kit rendering of "Affects your code": a short section in the top message, the details in the thread."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import Block, MarkdownTextObject, SectionBlock

from analysis.facts import short
from analysis.models import Digest, RepoDigest
from analysis.strings import t
from analysis.teamcode.affects import PLACES_SHOWN
from analysis.teamcode.impact import Impact
from bot.slack.mrkdwn import escape, truncate

SECTION_CHARS = 3000
MAX_BLOCKS = 50
MESSAGE_CHARS = 11000
SUMMARY_ITEMS = 3  # impacts named in the top message
SUMMARY_CHARS = 1200


def _code(text: str, limit: int) -> str:
    """Untrusted text as inline code: one line, no backticks, escaped, mention-free."""
    one = " ".join(short(text, limit).split()).replace("`", "'")
    return f"`{escape(one)}`" if one else "``"


def impact_line(i: Impact, lang: str, *, places: bool = True) -> str:
    """`sha` `object`: what changed — `file:line`, … (and N more places), in mrkdwn."""
    line = f"{_code(i.sha[:7], 7)} {_code(i.object, 150)}{t(lang, 'colon')}{escape(short(' '.join(i.change.split()), 200))}"
    if places and i.places:
        shown = [_code(f"{f}:{n}", 150) for f, n in i.places[:PLACES_SHOWN]]
        if len(i.places) > PLACES_SHOWN:
            shown.append(t(lang, "affects_more", n=len(i.places) - PLACES_SHOWN))
        line += " — " + ", ".join(shown)
    return line


def _section(text: str) -> dict[str, Any]:
    return SectionBlock(text=MarkdownTextObject(text=truncate(text, SECTION_CHARS))).to_dict()


def impact_summary_blocks(repo: RepoDigest, lang: str, named: bool = False) -> list[Block]:
    """One short section for the top message: how many changes meet the team's code, the first few named."""
    if not repo.impact:
        return []
    direct = sum(1 for i in repo.impact if i.direct)
    head = f"⚠️ *{t(lang, 'affects')}*" + (f" · {escape(short(repo.name, 100))}" if named else "")
    lines = [head, t(lang, "affects_count", n=len(repo.impact), direct=direct)]
    lines += [f"• {impact_line(i, lang, places=False)}" for i in repo.impact[:SUMMARY_ITEMS]]
    return [SectionBlock(text=MarkdownTextObject(text=truncate("\n".join(lines), SUMMARY_CHARS)))]


def impact_thread_messages(digest: Digest) -> list[tuple[str, list[dict[str, Any]]]]:
    """The details as thread replies: (fallback text, blocks), each within 50 blocks and 3,000 chars a section."""
    lang = digest.language
    blocks: list[dict[str, Any]] = []
    for repo in digest.repos:
        if not repo.impact:
            continue
        for direct, key in ((True, "affects"), (False, "affects_owner")):
            items = [i for i in repo.impact if i.direct == direct]
            if not items:
                continue
            text = f"*{t(lang, key)}*" + (
                f" · {escape(short(repo.name, 100))}" if len(digest.repos) > 1 else ""
            )
            for i in items:
                line = f"• {impact_line(i, lang)}"
                if len(text) + 1 + len(line) > SECTION_CHARS:
                    blocks.append(_section(text))
                    text = line
                else:
                    text = f"{text}\n{line}"
            blocks.append(_section(text))
    messages: list[tuple[str, list[dict[str, Any]]]] = []
    chunk: list[dict[str, Any]] = []
    size = 0
    for b in blocks:
        n = len(b["text"]["text"])
        if chunk and (len(chunk) >= MAX_BLOCKS or size + n > MESSAGE_CHARS):
            messages.append((t(lang, "affects_thread"), chunk))
            chunk, size = [], 0
        chunk.append(b)
        size += n
    if chunk:
        messages.append((t(lang, "affects_thread"), chunk))
    return messages
