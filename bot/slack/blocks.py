"""Block Kit rendering of digests and analysis cards, within Slack's limits."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    DividerBlock,
)

from analysis.facts import EMOJI, brief_note, pr_url, short, stats, usage_line
from analysis.models import AnalysisStatus, Digest, DigestEntry, Importance, RepoDigest
from analysis.report.interfaces import interface_items
from analysis.report.lineage_lines import lineage_lines
from analysis.strings import t
from bot.slack.block_kit import SECTION_CHARS, button_element, context_block, header_block, section_block
from bot.slack.impact_blocks import impact_summary_blocks
from bot.slack.mrkdwn import channel_ref, escape, link, truncate
from bot.slack.overview import overview_blocks

MAX_BLOCKS = 50
MESSAGE_CHARS = 11000  # Slack rejects more than about 12,000 characters of block text a message
FOLD_AFTER = 10  # medium and low commits listed before "+N more"


@dataclass
class SlackMessage:
    """One Slack message: fallback text and Block Kit blocks as dicts."""

    text: str
    blocks: list[dict[str, Any]] = field(default_factory=list)


def _level(lang: str, level: Importance) -> str:
    return t(lang, level.value).lower()


def _note(lang: str, status: AnalysisStatus) -> str:
    note = brief_note(status, lang)
    return f"_{note}_" if note else ""


def _sections(heading: str, lines: list[str]) -> list[Block]:
    """`heading` and `lines` packed into as few sections as the character limit allows."""
    out: list[Block] = []
    text = heading
    for line in lines:
        line = truncate(line, SECTION_CHARS - len(heading) - 1)
        if len(text) + 1 + len(line) > SECTION_CHARS:
            out.append(section_block(text))
            text = line
        else:
            text = f"{text}\n{line}" if text else line
    if text:
        out.append(section_block(text))
    return out


def _value(entry: DigestEntry) -> str:
    """A button's `repo@sha`: a local clone is named by its shown (folder) name, never by its path."""
    repo = entry.commit.repo
    shown = os.path.basename(repo.rstrip("/")) if os.path.isabs(repo) else repo
    return f"{shown}@{entry.commit.sha}"


def _meta(entry: DigestEntry, repo_url: str | None, lang: str) -> str:
    c, card = entry.commit, entry.analysis.card
    author = c.author_name or c.author_login or t(lang, "unknown")
    parts = [f"`{c.short_sha}`", escape(short(author, 80))]
    if c.pr:
        parts.append(link(pr_url(c, repo_url), f"#{c.pr}"))
    if card:
        parts.append(escape(short(card.change_type, 60)))
    return " · ".join(parts)


def _title(entry: DigestEntry, n: int = 200) -> str:
    return link(entry.commit.url, short(entry.commit.title or entry.commit.short_sha, n))


def _high_card(entry: DigestEntry, repo_url: str | None, lang: str) -> Block:
    a = entry.analysis
    lines = [f"{EMOJI[Importance.HIGH]} *{_title(entry)}*", _meta(entry, repo_url, lang)]
    lines += lineage_lines(entry, lang, esc=escape, chan=channel_ref)
    points = a.card.summary[:3] if a.card else a.reasons[:2]
    lines += [f"• {escape(short(p, 300))}" for p in points]
    items, more = interface_items(entry.interfaces, 1)
    if items:
        label = t(lang, "label", label=t(lang, "interfaces"))
        extra = f" {t(lang, 'interfaces_more', n=more)}" if more else ""
        lines.append(f"*{label}* `{escape(items[0][0])}`{t(lang, 'colon')}{escape(items[0][1])}{extra}")
    if a.card and a.card.risks:
        label = t(lang, "label", label=t(lang, "top_risk"))
        lines.append(f"*{label}* {escape(short(a.card.risks[0], 300))}")
    if note := _note(lang, a.status):
        lines.append(note)
    return section_block(
        "\n".join(lines), button_element(t(lang, "full_analysis"), "full_analysis", _value(entry))
    )


def stats_line(repo: RepoDigest, language: str = "en") -> str:
    """`27 commits · 🔴 4 high · 🟡 14 medium · 🟢 9 low`, plus failed and pending when any."""
    s = stats(repo)
    parts = [t(language, "commits", n=s.total)]
    parts += [
        t(language, "level_count", emoji=EMOJI[lvl], n=n, level=_level(language, lvl))
        for lvl, n in s.levels.items()
    ]
    if s.failed:
        parts.append(t(language, "failures", n=s.failed))
    if s.pending:
        parts.append(t(language, "pending_count", n=s.pending))
    return " · ".join(parts)


def _compact(level: Importance, entries: list[DigestEntry], lang: str) -> list[Block]:
    if not entries:
        return []
    lines = [f"• {_title(e, 150)} `{e.commit.short_sha}`" for e in entries[:FOLD_AFTER]]
    if len(entries) > FOLD_AFTER:
        lines.append(f"_{t(lang, 'more', n=len(entries) - FOLD_AFTER)}_")
    group = t(lang, "level_group", level=t(lang, level.value), n=len(entries))
    return _sections(f"{EMOJI[level]} *{group}*", lines)


def _repo_blocks(repo: RepoDigest, lang: str) -> list[Block]:
    head = f"*{link(repo.url, repo.name)}*" + "".join(f"\nℹ️ {escape(n)}" for n in repo.notes)
    if repo.error:
        error = t(lang, "repo_unreadable", error=escape(short(repo.error, 500)))
        return [DividerBlock(), section_block(f"{head}\n⚠️ {error}")]
    if not repo.entries:
        return [DividerBlock(), section_block(f"{head}\n{t(lang, 'no_new_commits')}")]
    repo_url = repo.url or repo.entries[0].commit.repo_url
    out: list[Block] = [DividerBlock(), section_block(f"{head}\n{stats_line(repo, lang)}")]
    out += [_high_card(e, repo_url, lang) for e in repo.by_importance(Importance.HIGH)]
    out += _compact(Importance.MEDIUM, repo.by_importance(Importance.MEDIUM), lang)
    out += _compact(Importance.LOW, repo.by_importance(Importance.LOW), lang)
    return out


def text_size(block: dict[str, Any]) -> int:
    """Characters of text in one block, as Slack counts them towards a message's limit."""
    if isinstance(block, dict):
        return sum(len(v) if k == "text" and isinstance(v, str) else text_size(v) for k, v in block.items())
    if isinstance(block, list):
        return sum(text_size(v) for v in block)
    return 0


def _chunks(blocks: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Blocks grouped into messages within the block and character limits (later ones leave room
    for a "continued" line)."""
    chunks: list[list[dict[str, Any]]] = [[]]
    size = 0
    for b in blocks:
        room = MAX_BLOCKS if len(chunks) == 1 else MAX_BLOCKS - 1
        if chunks[-1] and (len(chunks[-1]) >= room or size + text_size(b) > MESSAGE_CHARS):
            chunks.append([])
            size = 0
        chunks[-1].append(b)
        size += text_size(b)
    return chunks


def is_empty(digest: Digest) -> bool:
    """True when no repository has a commit or an error to report."""
    return not any(r.entries or r.error for r in digest.repos)


def _repo_names(digest: Digest) -> str:
    names = ", ".join(escape(short(r.name, 100)) for r in digest.repos)
    return names or t(digest.language, "no_repos")


def digest_messages(digest: Digest) -> list[SlackMessage]:
    """The digest for one channel as one or more messages, each within Slack's block limits."""
    lang, names = digest.language, _repo_names(digest)
    title = t(lang, "chat_title", date=digest.date)
    if is_empty(digest):
        text = t(lang, "chat_quiet", title=title, names=names)
        return [SlackMessage(text=truncate(text, SECTION_CHARS), blocks=[section_block(text).to_dict()])]
    total = sum(len(r.entries) for r in digest.repos)
    high = sum(len(r.by_importance(Importance.HIGH)) for r in digest.repos)
    intro = [t(lang, "repos", n=len(digest.repos), names=names)]
    if line := usage_line(digest.usage, lang, brief=True):
        intro.append(line)
    blocks: list[Block] = [header_block(title), context_block(" · ".join(intro))]
    blocks += [context_block(f"⚠️ {escape(short(a, 500))}") for a in digest.alerts[:5]]
    for repo in digest.repos:  # what meets the team's code, first
        blocks += impact_summary_blocks(repo, lang, named=len(digest.repos) > 1)
    for repo in digest.repos:  # the day at a glance, before the stats
        blocks += overview_blocks(repo, lang, named=len(digest.repos) > 1)
    for repo in digest.repos:
        blocks += _repo_blocks(repo, lang)
    chunks = _chunks([b.to_dict() for b in blocks])
    fallback = truncate(t(lang, "chat_fallback", title=title, total=total, high=high, names=names), 3000)
    out = [SlackMessage(text=fallback, blocks=chunks[0])]
    for i, chunk in enumerate(chunks[1:], start=2):
        more = t(lang, "chat_continued", title=title, i=i, n=len(chunks))
        out.append(SlackMessage(text=more, blocks=[context_block(more).to_dict(), *chunk]))
    return out


def _card_blocks(entry: DigestEntry, repo_url: str | None, lang: str) -> list[Block]:
    a, card = entry.analysis, entry.analysis.card
    imp = a.importance
    blocks: list[Block] = [section_block(f"{EMOJI[imp]} *{_title(entry, 300)}*")]
    meta = f"{_meta(entry, repo_url, lang)} · {t(lang, 'level_importance', level=_level(lang, imp))}"
    if card and card.importance_reason:
        meta += t(lang, "colon") + escape(short(card.importance_reason, 300))
    blocks.append(context_block(meta))
    if lin := lineage_lines(entry, lang, esc=escape, chan=channel_ref):
        blocks.append(section_block(truncate("\n".join(lin), 3000)))
    if not card:
        blocks += _sections(_note(lang, a.status), [f"• {escape(short(r, 500))}" for r in a.reasons])
        return blocks + _interface_blocks(entry, lang)
    bullets = [
        ("summary", card.summary),
        ("impact", [f"`{p.replace('`', '')}`" for p in card.impact_scope]),
        ("risks_short", card.risks),
        ("recommendations", card.recommendations),
    ]
    insight = [
        f"*{t(lang, 'label', label=t(lang, k))}* {escape(short(v, 1000))}"
        for k, v in card.insight.answered().items()
    ]
    for key, items in bullets[:2]:
        if items:
            blocks += _sections(f"*{t(lang, key)}*", [f"• {escape(short(i, 1000))}" for i in items])
    if insight:
        blocks += _sections(f"*{t(lang, 'insight_short')}*", [f"• {i}" for i in insight])
    for key, items in bullets[2:]:
        if items:
            blocks += _sections(f"*{t(lang, key)}*", [f"• {escape(short(i, 1000))}" for i in items])
    if card.conclusion:
        blocks += _sections(f"*{t(lang, 'conclusion')}*", [escape(short(card.conclusion, 2500))])
    if card.not_read:
        paths = ", ".join(escape(short(p, 200)) for p in card.not_read)
        blocks.append(context_block(t(lang, "not_read") + t(lang, "colon") + paths))
    return blocks + _interface_blocks(entry, lang)


def _interface_blocks(entry: DigestEntry, lang: str) -> list[Block]:
    """The computed interface changes as facts; object names come from upstream code and are escaped."""
    items, more = interface_items(entry.interfaces)
    if not items:
        return []
    lines = [f"• `{escape(obj)}`{t(lang, 'colon')}{escape(text)}" for obj, text in items]
    if more:
        lines.append(f"• {t(lang, 'interfaces_more', n=more)}")
    return _sections(f"*{t(lang, 'interfaces')}*", lines)


def _fit(blocks: list[Block], room: int, lang: str) -> list[dict[str, Any]]:
    """The first blocks that fit one message, with a note when some were left out."""
    dicts = [b.to_dict() for b in blocks]
    if len(dicts) <= room and sum(map(text_size, dicts)) <= MESSAGE_CHARS:
        return dicts
    out: list[dict[str, Any]] = []
    size = 0
    for b in dicts[: room - 1]:
        if size + text_size(b) > MESSAGE_CHARS - 100:
            break
        out.append(b)
        size += text_size(b)
    return [*out, context_block(t(lang, "too_long")).to_dict()]


def _analysis_of(entry: DigestEntry, lang: str) -> str:
    title = escape(short(entry.commit.title, 200))
    return t(lang, "analysis_of", sha=entry.commit.short_sha, title=title)


def card_reply_blocks(
    entry: DigestEntry, repo_url: str | None = None, *, language: str = "en"
) -> SlackMessage:
    """The full analysis of one commit, as a thread reply."""
    blocks = _fit(_card_blocks(entry, repo_url or entry.commit.repo_url, language), MAX_BLOCKS, language)
    return SlackMessage(text=_analysis_of(entry, language), blocks=blocks)


def card_ephemeral_blocks(entry: DigestEntry, *, language: str = "en") -> SlackMessage:
    """The analysis of one commit for `/commit`, with a "Share in channel" button."""
    blocks = _fit(_card_blocks(entry, entry.commit.repo_url, language), MAX_BLOCKS - 1, language)
    share = button_element(t(language, "share"), "share_card", _value(entry))
    blocks.append(ActionsBlock(elements=[share]).to_dict())
    return SlackMessage(text=_analysis_of(entry, language), blocks=blocks)
