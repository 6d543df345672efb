"""Render a digest as a Markdown report, terminal text, or a JSON-ready dict."""

from __future__ import annotations

import re
import textwrap
import unicodedata
from collections.abc import Callable
from datetime import datetime
from functools import partial
from zoneinfo import ZoneInfo

from analysis.i18n import t
from analysis.models import AnalysisStatus, Card, Commit, Digest, DigestEntry, Importance, RepoDigest

LEVELS = (Importance.HIGH, Importance.MEDIUM, Importance.LOW)
EMOJI = {Importance.HIGH: "🔴", Importance.MEDIUM: "🟡", Importance.LOW: "🟢"}
TOC_TITLE_MAX = 60
TEXT_WIDTH = 100
TEXT_SUMMARY_LINES = {Importance.HIGH: 3, Importance.MEDIUM: 1, Importance.LOW: 1}
REASON_MAX = 120
_URL_RE = re.compile(r"https?://([^/\s]+)\S*")
_SAFE_URL_RE = re.compile(r"^https?://[^\s<>()\[\]`]+$")
_TRAILING_HASHES_RE = re.compile(r"(\s)(#+)$")
_BLOCK_START_RE = re.compile(r"^(?:[#>+=|*-]|\d+[.)])")
_GITHUB_URL_RE = re.compile(r"^https://github\.com/([^/\s]+/[^/\s]+?)(?:/commit/.*|/)?$")
_ANSI = {"bold": "1", "dim": "2", "red": "31", "yellow": "33", "green": "32", "cyan": "36"}
_LEVEL_COLOR = {Importance.HIGH: "red", Importance.MEDIUM: "yellow", Importance.LOW: "green"}


# ---- untrusted text --------------------------------------------------------------------------


def plain(text: str | None) -> str:
    """One line of untrusted text: control and format characters removed, whitespace collapsed."""
    spaced = "".join(" " if ch.isspace() else ch for ch in text or "")
    kept = "".join(ch for ch in spaced if unicodedata.category(ch) not in ("Cc", "Cf"))
    return " ".join(kept.split())


def _md(text: str | None) -> str:
    """Untrusted text as inline Markdown: one line, no raw HTML."""
    return plain(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _md_title(text: str | None) -> str:
    """A commit title as literal Markdown: brackets escaped so it cannot form a link."""
    return _md(text).replace("[", "\\[").replace("]", "\\]")


def _cell(text: str) -> str:
    """Markdown already escaped, made safe for a table cell."""
    return text.replace("|", "\\|")


def _block(text: str | None) -> str:
    """Untrusted text that starts a block, kept from opening a heading, quote, list or table."""
    out = _md(text)
    return "\\" + out if _BLOCK_START_RE.match(out) else out


def _url(url: str | None) -> str | None:
    """The URL when it is a plain http(s) address safe to put in a link, else None."""
    return url if url and _SAFE_URL_RE.match(url) else None


def short_reason(error: str | None) -> str:
    """The first line of an error, URLs reduced to their host, at most REASON_MAX characters."""
    first = plain((error or "").strip().split("\n", 1)[0])
    text = _URL_RE.sub(lambda m: m.group(1), first)
    return text if len(text) <= REASON_MAX else text[: REASON_MAX - 1] + "…"


# ---- facts shared by all renderers -----------------------------------------------------------


def _local(d: datetime, tz: str) -> datetime:
    return d.astimezone(ZoneInfo(tz))


def pr_url(repo: RepoDigest, commit: Commit) -> str | None:
    """The GitHub pull request address of a commit whose title names a PR, else None."""
    if commit.pr is None:
        return None
    for url in (repo.url, commit.url):
        m = _GITHUB_URL_RE.match(url or "")
        if m:
            return f"https://github.com/{m.group(1)}/pull/{commit.pr}"
    return None


def _files(commit: Commit) -> tuple[int | None, int | None, int | None]:
    """Files touched, lines added and lines deleted; None when unknown."""
    if not commit.files and commit.total_files is None:
        return None, None, None
    count = commit.total_files if commit.total_files is not None else len(commit.files)
    if not commit.files:
        return count, None, None
    return count, commit.additions, commit.deletions


def _level(importance: Importance, lang: str) -> str:
    sep = "" if lang == "zh" else " "
    return f"{EMOJI[importance]}{sep}{t(lang, importance.value)}"


def _status_note(entry: DigestEntry, lang: str) -> str | None:
    """The honest one-line note for a pending or failed analysis."""
    a = entry.analysis
    if a.status == AnalysisStatus.PENDING:
        return t(lang, "pending")
    if a.status == AnalysisStatus.FAILED:
        reason = short_reason(a.error)
        if reason:
            return t(lang, "failed", n=a.attempts, reason=reason)
        return t(lang, "failed_no_reason", n=a.attempts)
    return None


def _summary_text(entry: DigestEntry) -> list[str]:
    """The card's summary points, or the commit title when there is no card."""
    card = entry.analysis.card
    points = [plain(s) for s in card.summary if plain(s)] if card else []
    return points or [plain(entry.commit.title)]


# ---- Markdown --------------------------------------------------------------------------------


class _Anchors:
    """Unique HTML ids for one document."""

    def __init__(self) -> None:
        self.used: set[str] = set()

    def take(self, *candidates: str) -> str:
        """The first unused candidate, else the last one with a counter."""
        for c in candidates:
            if c not in self.used:
                self.used.add(c)
                return c
        n = 2
        while f"{candidates[-1]}-{n}" in self.used:
            n += 1
        self.used.add(f"{candidates[-1]}-{n}")
        return f"{candidates[-1]}-{n}"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "repo"


def _anchored(anchor: str, heading: str) -> list[str]:
    return [f'<a id="{anchor}"></a>', "", heading]


def _toc_title(title: str) -> str:
    text = plain(title)
    if len(text) > TOC_TITLE_MAX:
        text = text[: TOC_TITLE_MAX - 3] + "..."
    return _md_title(text)


def _commit_table(repo: RepoDigest, lang: str, tz: str) -> list[str]:
    lines = [
        f"| {t(lang, 'col_time')} | {t(lang, 'col_author')} | {t(lang, 'col_message')} |",
        "|----------|------|----------|",
    ]
    for e in repo.entries:
        c = e.commit
        when = _local(c.committed_at, tz).strftime("%Y-%m-%d %H:%M:%S")
        lines.append(f"| {when} | {_cell(_md(c.author_name))} | {_cell(_md_title(c.title))} |")
    return lines


def _stats_line(repo: RepoDigest, lang: str) -> str:
    s = repo.stats()
    parts = [t(lang, "stats_line", **s)]
    if s["failed"]:
        parts.append(t(lang, "stats_failed", n=s["failed"]))
    if s["pending"]:
        parts.append(t(lang, "stats_pending", n=s["pending"]))
    return "> " + " | ".join(parts)


def _card_header(repo: RepoDigest, commit: Commit, lang: str) -> str:
    parts = [f"**SHA**: `{commit.short_sha}`"]
    url = _url(commit.url)
    if url:
        parts.append(f"🔗 [{t(lang, 'view_commit')}]({url})")
    pr = pr_url(repo, commit)
    if pr:
        parts.append(f"🔀 [{t(lang, 'pr', n=commit.pr)}]({pr})")
    files, adds, dels = _files(commit)
    if files is not None:
        lines = f" (+{adds} / -{dels})" if adds is not None else ""
        parts.append(f"📁 {t(lang, 'files', n=files)}{lines}")
    if commit.is_merge:
        parts.append(f"⤵️ {t(lang, 'merge')}")
    return " | ".join(parts)


def _label(lang: str, key: str, emoji: str) -> str:
    return f"**{emoji} {t(lang, key)}**"


def _field(lang: str, key: str, emoji: str, value: str) -> str:
    return f"{_label(lang, key, emoji)}{t(lang, 'colon')}{value}  "


def _insight_table(card: Card, lang: str) -> list[str]:
    rows = [
        f"| **{t(lang, key)}** | {_cell('<br>'.join(_md(line) for line in value.splitlines() if plain(line)))} |"
        for key, value in card.insight.answered().items()
    ]
    if not rows:
        return []
    head = [f"| {t(lang, 'dimension')} | {t(lang, 'impact_col')} |", "|------|----------|"]
    return [_label(lang, "insight", "🔍") + "  ", "", *head, *rows, ""]


def _bullets(lang: str, key: str, emoji: str, items: list[str], numbered: bool = False) -> list[str]:
    points = [_block(i) for i in items if plain(i)]
    if not points:
        return []
    marks = [f"{n}." for n in range(1, len(points) + 1)] if numbered else ["-"] * len(points)
    return [_label(lang, key, emoji) + "  ", *[f"{m} {p}  " for m, p in zip(marks, points, strict=True)], ""]


def _card_body(card: Card, lang: str, full: bool) -> list[str]:
    importance = _level(card.importance, lang)
    if card.importance_reason.strip():
        importance += f" — {_md(card.importance_reason)}"
    lines = [
        _field(lang, "change_type", "🎯", _md(card.change_type)),
        _field(lang, "importance", "⚡", importance),
    ]
    if not full:
        summary = t(lang, "sep").join(_md(s) for s in card.summary if plain(s))
        return [*lines, _field(lang, "summary_short", "📋", summary)] if summary else lines
    lines.append("")
    lines += _bullets(lang, "summary", "📋", card.summary)
    lines += _bullets(lang, "impact", "🎯", card.impact_scope)
    lines += _insight_table(card, lang)
    lines += _bullets(lang, "risks", "⚠️", card.risks, numbered=True)
    lines += _bullets(lang, "recommendations", "💡", card.recommendations)
    if card.not_read:
        lines += [f"*{t(lang, 'not_read')}{t(lang, 'colon')}{_md(', '.join(card.not_read))}*", ""]
    if plain(card.conclusion):
        lines += [_block(card.conclusion), ""]
    while lines and lines[-1] == "":
        lines.pop()
    return lines


def _entry_md(repo: RepoDigest, entry: DigestEntry, anchor: str, lang: str) -> list[str]:
    a, c = entry.analysis, entry.commit
    heading = _TRAILING_HASHES_RE.sub(r"\1\\\2", _md_title(c.title))
    lines = [*_anchored(anchor, f"### {heading}"), _card_header(repo, c, lang), ""]
    note = _status_note(entry, lang)
    if note:
        lines += [f"*{'⏳' if a.status == AnalysisStatus.PENDING else '⚠️'} {_md(note)}*", ""]
    elif a.status == AnalysisStatus.HEURISTIC:
        lines += [f"*ℹ️ {t(lang, 'heuristic')}*", ""]
    if a.card:
        full = note is None and a.card.importance != Importance.LOW
        lines += _card_body(a.card, lang, full)
    else:
        scored = _level(a.scored, lang) + t(lang, "scored")
        lines.append(_field(lang, "importance", "⚡", scored))
        if a.reasons:
            lines.append(_field(lang, "reasons", "📋", t(lang, "sep").join(_md(r) for r in a.reasons)))
    return [*lines, "", "---", ""]


def render_card_markdown(entry: DigestEntry, language: str = "en", repo_url: str | None = None) -> str:
    """One commit's card as Markdown, as it stands in the daily report."""
    repo = RepoDigest(repo=entry.commit.repo, url=repo_url)
    lines = _entry_md(repo, entry, entry.commit.short_sha, language)
    while lines and lines[-1] in ("", "---"):
        lines.pop()
    return "\n".join(lines) + "\n"


def _repo_md(repo: RepoDigest, lang: str, tz: str, anchors: _Anchors) -> list[str]:
    slug = _slug(repo.name)
    repo_anchor = anchors.take(f"repo-{slug}")
    lines = [*_anchored(repo_anchor, f"## {_md(repo.name)}"), "", *(f"> ℹ️ {_md(n)}\n" for n in repo.notes)]
    if repo.error:
        lines += [f"> ❌ {t(lang, 'repo_error', error=_md(short_reason(repo.error)))}", ""]
    if not repo.entries:
        return lines if repo.error else [*lines, t(lang, "no_commits"), ""]
    stats_anchor = anchors.take(f"{slug}-stats")
    lines += [*_commit_table(repo, lang, tz), ""]
    lines += [*_anchored(stats_anchor, f"### {t(lang, 'stats')}"), _stats_line(repo, lang), ""]
    groups = [(lv, repo.by_importance(lv)) for lv in LEVELS]
    groups = [(lv, entries, anchors.take(f"{slug}-{lv.value}")) for lv, entries in groups if entries]
    cards = {e.commit.sha: anchors.take(e.commit.short_sha, e.commit.sha) for _, es, _ in groups for e in es}
    toc = [
        f"## {t(lang, 'contents')}",
        "",
        f"- [{_md_title(repo.name)}](#{repo_anchor})",
        f"  - [{t(lang, 'stats')}](#{stats_anchor})",
    ]
    body: list[str] = []
    for lv, entries, anchor in groups:
        title = t(lang, "group", emoji=EMOJI[lv], level=t(lang, lv.value), n=len(entries))
        toc.append(f"  - [{title}](#{anchor})")
        toc += [f"    - [{_toc_title(e.commit.title)}](#{cards[e.commit.sha]})" for e in entries]
        body += [*_anchored(anchor, f"#### {title}"), ""]
        for e in entries:
            body += _entry_md(repo, e, cards[e.commit.sha], lang)
    return [*lines, *toc, "", *body]


def _usage_line(digest: Digest) -> str | None:
    u, lang = digest.usage, digest.language
    if not u.llm_calls and u.cost_usd is None:
        return None
    line = t(lang, "usage", calls=u.llm_calls, prompt=u.prompt_tokens, completion=u.completion_tokens)
    if u.cost_usd is not None:
        line += t(lang, "sep") + t(lang, "cost", cost=u.cost_usd)
    return line


def render_markdown(digest: Digest) -> str:
    """The daily report as Markdown, laid out like the reference report."""
    lang, anchors = digest.language, _Anchors()
    lines = [f"# {t(lang, 'title', date=digest.date)}", ""]
    if digest.alerts:
        lines += [f"> **⚠️ {t(lang, 'alerts')}**", *[f"> - {_md(a)}" for a in digest.alerts], ""]
    usage = _usage_line(digest)
    if usage:
        lines += [f"*{usage}*", ""]
    for repo in digest.repos:
        lines += _repo_md(repo, lang, digest.timezone, anchors)
    while lines and lines[-1] == "":
        lines.pop()
    return "\n".join(lines) + "\n"


# ---- terminal text ---------------------------------------------------------------------------


def display_width(text: str) -> int:
    """Terminal columns a string takes: wide and full-width characters count two."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def _clip(text: str, width: int = TEXT_WIDTH) -> str:
    """Text cut to `width` terminal columns, with an ellipsis when cut."""
    if display_width(text) <= width:
        return text
    out, used = [], 0
    for ch in text:
        w = display_width(ch)
        if used + w > width - 1:
            break
        out.append(ch)
        used += w
    return "".join(out) + "…"


def _paint(text: str, style: str, color: bool) -> str:
    return f"\x1b[{_ANSI[style]}m{text}\x1b[0m" if color else text


def _entry_text(entry: DigestEntry, lang: str, tz: str, paint: Callable[[str, str], str]) -> list[str]:
    a, c = entry.analysis, entry.commit
    indent = " " * 11
    meta = [plain(c.author_name), _local(c.committed_at, tz).strftime("%Y-%m-%d %H:%M")]
    if a.card:
        meta.append(plain(a.card.change_type))
    if c.pr is not None:
        meta.append(t(lang, "pr", n=c.pr))
    if c.is_merge:
        meta.append(t(lang, "merge"))
    if a.status == AnalysisStatus.HEURISTIC:
        meta.append(t(lang, "heuristic"))
    lines = [
        "  " + paint(c.short_sha, "cyan") + "  " + _clip(plain(c.title), TEXT_WIDTH - 11),
        indent + _clip(" · ".join(m for m in meta if m), TEXT_WIDTH - 11),
    ]
    note = _status_note(entry, lang)
    if note:
        lines.append(indent + paint(_clip("! " + plain(note), TEXT_WIDTH - 11), "dim"))
    if a.card or not note:
        summary = _summary_text(entry)
        if a.status == AnalysisStatus.HEURISTIC:  # a heuristic summary mostly restates the title
            summary = [s for s in summary if s not in plain(c.title)]
        summary = summary[: TEXT_SUMMARY_LINES[a.importance]]
        lines += [indent + _clip("- " + s, TEXT_WIDTH - 11) for s in summary]
    if a.reasons and (a.status == AnalysisStatus.HEURISTIC or not a.card and note):
        reasons = t(lang, "sep").join(plain(r) for r in a.reasons)
        lines.append(indent + _clip(f"{t(lang, 'reasons')}{t(lang, 'colon')}{reasons}", TEXT_WIDTH - 11))
    return lines


def _repo_text(repo: RepoDigest, lang: str, tz: str, paint: Callable[[str, str], str]) -> list[str]:
    head = plain(repo.name) + (f" ({plain(repo.branch)})" if repo.branch else "")
    lines = [paint(_clip(head), "bold"), *("  " + _clip(plain(n), 98) for n in repo.notes)]
    if repo.error:
        message = t(lang, "repo_error", error=short_reason(repo.error))
        lines += [
            "  " + paint(_clip(part, 98), "red")
            for part in textwrap.wrap(message, 98, subsequent_indent="  ")
        ]
    if not repo.entries:
        return lines if repo.error else [*lines, "  " + t(lang, "no_commits")]
    s = repo.stats()
    stats = [t(lang, "commits", n=s["total"])]
    stats += [f"{t(lang, lv.value)} {s[lv.value]}" for lv in LEVELS]
    stats += [t(lang, f"stats_{k}", n=s[k]) for k in ("failed", "pending") if s[k]]
    lines.append("  " + _clip(" | ".join(stats), 98))
    for lv in LEVELS:
        entries = repo.by_importance(lv)
        if not entries:
            continue
        title = t(lang, "group", emoji=EMOJI[lv], level=t(lang, lv.value), n=len(entries))
        lines += ["", "  " + paint(title, _LEVEL_COLOR[lv])]
        for e in entries:
            lines += _entry_text(e, lang, tz, paint)
    return lines


def render_text(digest: Digest, *, color: bool = False) -> str:
    """A terminal digest, at most 100 columns wide, with optional ANSI colour."""
    lang = digest.language
    paint = partial(_paint, color=color)
    title = _clip(f"{t(lang, 'title', date=digest.date)} · {plain(digest.timezone)}")
    lines = [paint(title, "bold"), "=" * min(display_width(title), TEXT_WIDTH)]
    lines += [paint(_clip(f"! {t(lang, 'alerts')}: {plain(a)}"), "red") for a in digest.alerts]
    usage = _usage_line(digest)
    if usage:
        lines.append(_clip(usage))
    for repo in digest.repos:
        lines += ["", *_repo_text(repo, lang, digest.timezone, paint)]
    return "\n".join(lines) + "\n"


# ---- JSON ------------------------------------------------------------------------------------


def _entry_json(repo: RepoDigest, entry: DigestEntry, tz: str) -> dict:
    a, c = entry.analysis, entry.commit
    files, adds, dels = _files(c)
    return {
        "sha": c.sha,
        "short_sha": c.short_sha,
        "title": c.title,
        "author": c.author_name,
        "committed_at": _local(c.committed_at, tz).isoformat(),
        "importance": a.importance.value,
        "scored_importance": a.scored.value,
        "analysis_status": a.status.value,
        "change_type": a.card.change_type if a.card else None,
        "summary": "\n".join(_summary_text(entry)),
        "pr": c.pr,
        "pr_url": pr_url(repo, c),
        "url": c.url,
        "files": files,
        "additions": adds,
        "deletions": dels,
        "is_merge": c.is_merge,
        "card": a.card.model_dump(mode="json") if a.card else None,
        "reasons": list(a.reasons),
        "attempts": a.attempts,
        "error": short_reason(a.error) if a.status == AnalysisStatus.FAILED and a.error else None,
    }


def entry_json(entry: DigestEntry, tz: str = "UTC") -> dict:
    """One commit with its analysis, as `render_json` lists it."""
    return _entry_json(RepoDigest(repo=entry.commit.repo), entry, tz)


def render_json(digest: Digest) -> dict:
    """The digest as a dict that json.dumps accepts."""
    tz = digest.timezone
    return {
        "date": digest.date,
        "timezone": tz,
        "language": digest.language,
        "repos": [
            {
                "repo": r.repo,
                "name": r.name,
                "notes": r.notes,
                "url": r.url,
                "branch": r.branch,
                "head": r.head,
                "since": r.since,
                "error": r.error,
                "stats": r.stats(),
                "commits": [_entry_json(r, e, tz) for e in r.entries],
            }
            for r in digest.repos
        ],
        "usage": {
            "llm_calls": digest.usage.llm_calls,
            "prompt_tokens": digest.usage.prompt_tokens,
            "completion_tokens": digest.usage.completion_tokens,
            "cost_usd": digest.usage.cost_usd,
        },
        "alerts": list(digest.alerts),
    }
