"""The digest for a terminal: as wide as the terminal (100 columns by default), with optional ANSI colour."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from functools import partial

from analysis.facts import (
    ELLIPSIS,
    EMOJI,
    LEVELS,
    clip,
    display_width,
    error_reason,
    local_time,
    plain,
    stats,
    status_note,
    summary_lines,
    usage_line,
)
from analysis.models import AnalysisStatus, Digest, DigestEntry, Importance, RepoDigest
from analysis.report.impact_lines import impact_text_lines
from analysis.report.interfaces import interface_items
from analysis.report.lineage_lines import lineage_lines
from analysis.report.overview import overview_text_lines
from analysis.strings import t

TEXT_WIDTH = 100
MIN_WIDTH = 40
TEXT_INTERFACES = 5  # interface changes listed per commit in a terminal
TEXT_SUMMARY_LINES = {Importance.HIGH: 3, Importance.MEDIUM: 1, Importance.LOW: 1}
_ANSI = {"bold": "1", "dim": "2", "red": "31", "yellow": "33", "green": "32", "cyan": "36"}
_LEVEL_COLOR = {Importance.HIGH: "red", Importance.MEDIUM: "yellow", Importance.LOW: "green"}


def _clip(text: str, width: int = TEXT_WIDTH) -> str:
    """Text cut to `width` terminal columns, with an ellipsis when cut, on a word boundary when there is one."""
    out = clip(text, width, width=display_width)
    if out == text:
        return out
    kept = out.removesuffix(ELLIPSIS)
    space = kept.rfind(" ")
    if space > len(kept) // 2 and not text[len(kept) : len(kept) + 1].isspace():
        kept = kept[:space]
    return kept.rstrip(" ,;:") + ELLIPSIS


def _paint(text: str, style: str, color: bool) -> str:
    return f"\x1b[{_ANSI[style]}m{text}\x1b[0m" if color else text


def _entry_text(
    entry: DigestEntry, lang: str, tz: str, paint: Callable[[str, str], str], width: int
) -> list[str]:
    a, c = entry.analysis, entry.commit
    indent = " " * 11
    meta = [plain(c.author_name), local_time(c.committed_at, tz).strftime("%Y-%m-%d %H:%M")]
    if a.card:
        meta.append(plain(a.card.change_type))
    if c.pr is not None:
        meta.append(t(lang, "pr", n=c.pr))
    if c.is_merge:
        meta.append(t(lang, "merge"))
    if a.status == AnalysisStatus.HEURISTIC:
        meta.append(t(lang, "heuristic"))
    lines = [
        "  " + paint(c.short_sha, "cyan") + "  " + _clip(plain(c.title), width - 11),
        indent + _clip(" · ".join(m for m in meta if m), width - 11),
    ]
    lines += [indent + paint(_clip(line, width - 11), "red") for line in lineage_lines(entry, lang, tz)]
    note = status_note(a, lang)
    if note:
        lines.append(indent + paint(_clip("! " + plain(note), width - 11), "dim"))
    if a.card or not note:
        summary = summary_lines(entry)
        if a.status == AnalysisStatus.HEURISTIC:  # a heuristic summary mostly restates the title
            summary = [s for s in summary if s not in plain(c.title)]
        summary = summary[: TEXT_SUMMARY_LINES[a.importance]]
        lines += [indent + _clip("- " + s, width - 11) for s in summary]
    if a.reasons and (a.status == AnalysisStatus.HEURISTIC or not a.card and note):
        reasons = t(lang, "sep").join(plain(r) for r in a.reasons)
        lines.append(indent + _clip(f"{t(lang, 'reasons')}{t(lang, 'colon')}{reasons}", width - 11))
    items, more = interface_items(entry.interfaces, TEXT_INTERFACES)
    if items:
        lines.append(indent + t(lang, "interfaces") + t(lang, "colon").rstrip())
        lines += [
            indent + _clip(f"  {plain(obj)}{t(lang, 'colon')}{plain(text)}", width - 11)
            for obj, text in items
        ]
        if more:
            lines.append(indent + "  " + t(lang, "interfaces_more", n=more))
    return lines


def _repo_text(
    repo: RepoDigest, lang: str, tz: str, paint: Callable[[str, str], str], width: int
) -> list[str]:
    head = plain(repo.name) + (f" ({plain(repo.branch)})" if repo.branch else "")
    lines = [paint(_clip(head, width), "bold"), *("  " + _clip(plain(n), width - 2) for n in repo.notes)]
    if repo.error:
        message = t(lang, "repo_error", error=error_reason(repo.error))
        lines += [
            "  " + paint(_clip(part, width - 2), "red")
            for part in textwrap.wrap(message, width - 2, subsequent_indent="  ")
        ]
    if not repo.entries:
        return lines if repo.error else [*lines, "  " + t(lang, "no_commits")]
    s = stats(repo)
    parts = [t(lang, "commits", n=s.total)]
    parts += [f"{t(lang, lv.value)} {n}" for lv, n in s.levels.items()]
    parts += [t(lang, f"stats_{key}", n=n) for key, n in s.unfinished()]
    lines.append("  " + _clip(" | ".join(parts), width - 2))
    lines += [
        "  " + _clip(line, width - 2) for line in impact_text_lines(repo, lang)
    ]  # the team's code first
    lines += ["  " + _clip(line, width - 2) for line in overview_text_lines(repo, lang)]  # above the cards
    for lv in LEVELS:
        entries = repo.by_importance(lv)
        if not entries:
            continue
        title = t(lang, "group", emoji=EMOJI[lv], level=t(lang, lv.value), n=len(entries))
        lines += ["", "  " + paint(title, _LEVEL_COLOR[lv])]
        for e in entries:
            lines += _entry_text(e, lang, tz, paint, width)
    return lines


def render_text(digest: Digest, *, color: bool = False, width: int = TEXT_WIDTH) -> str:
    """A terminal digest at most `width` columns wide (at least 40), with optional ANSI colour."""
    width = max(width, MIN_WIDTH)
    lang = digest.language
    paint = partial(_paint, color=color)
    title = _clip(f"{t(lang, 'title', date=digest.date)} · {plain(digest.timezone)}", width)
    lines = [paint(title, "bold"), "=" * min(display_width(title), width)]
    lines += [paint(_clip(f"! {t(lang, 'alerts')}: {plain(a)}", width), "red") for a in digest.alerts]
    usage = usage_line(digest.usage, lang)
    if usage:
        lines.append(_clip(usage, width))
    for repo in digest.repos:
        lines += ["", *_repo_text(repo, lang, digest.timezone, paint, width)]
    return "\n".join(lines) + "\n"


def render_card_text(
    entry: DigestEntry, language: str, tz: str, *, color: bool = False, width: int = TEXT_WIDTH
) -> str:
    """One commit's card for a terminal, as it appears in the terminal digest, with its repository above."""
    width = max(width, MIN_WIDTH)
    paint = partial(_paint, color=color)
    head = paint(_clip(plain(entry.commit.repo), width), "bold")
    lv = entry.analysis.importance
    level = f"{EMOJI[lv]} {t(language, 'importance')}{t(language, 'colon')}{t(language, lv.value)}"
    lines = [head, "  " + paint(level, _LEVEL_COLOR[lv])]
    lines += _entry_text(entry, language, tz, paint, width)
    return "\n".join(lines) + "\n"
