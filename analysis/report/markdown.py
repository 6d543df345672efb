"""The daily report as Markdown, laid out like the reference report: table, stats, contents, cards."""

from __future__ import annotations

import re

from analysis.facts import (
    EMOJI,
    LEVELS,
    clip,
    commit_url,
    error_reason,
    file_counts,
    local_time,
    plain,
    pr_url,
    stats,
    status_note,
    usage_line,
)
from analysis.models import AnalysisStatus, Card, Commit, Digest, DigestEntry, Importance, RepoDigest
from analysis.report.escape import (
    TITLE_CHARS,
    bounded,
    bounded_list,
    code_span,
    md_block,
    md_heading,
    md_text,
)
from analysis.report.impact_lines import impact_markdown
from analysis.report.interfaces import interface_items, left_out
from analysis.report.lineage_lines import lineage_lines
from analysis.report.overview import overview_markdown
from analysis.strings import t

TOC_TITLE_MAX = 60


class _Anchors:
    """Unique HTML ids for one document."""

    def __init__(self) -> None:
        self.used: set[str] = set()

    def take(self, *candidates: str) -> str:
        """The first unused candidate, else the last one with a counter."""
        candidates = tuple(re.sub(r"[^A-Za-z0-9_-]", "", c) or "card" for c in candidates)
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


def _commit_title(commit: Commit) -> str:
    return clip(plain(commit.title), TITLE_CHARS)


def _toc_title(title: str) -> str:
    text = plain(title)
    if len(text) > TOC_TITLE_MAX:
        text = text[: TOC_TITLE_MAX - 3] + "..."
    return md_text(text)


def _commit_table(repo: RepoDigest, lang: str, tz: str) -> list[str]:
    lines = [
        f"| {t(lang, 'col_time')} | {t(lang, 'col_author')} | {t(lang, 'col_message')} |",
        "|----------|------|----------|",
    ]
    for e in repo.entries:
        c = e.commit
        when = local_time(c.committed_at, tz).strftime("%Y-%m-%d %H:%M:%S")
        author = md_text(clip(plain(c.author_name), TITLE_CHARS), cell=True)
        lines.append(f"| {when} | {author} | {md_text(_commit_title(c), cell=True)} |")
    return lines


def _stats_line(repo: RepoDigest, lang: str) -> str:
    s = stats(repo)
    parts = [t(lang, "stats_line", total=s.total, **{lv.value: n for lv, n in s.levels.items()})]
    parts += [t(lang, f"stats_{key}", n=n) for key, n in s.unfinished()]
    return "> " + " | ".join(parts)


def _card_header(repo: RepoDigest, commit: Commit, lang: str) -> str:
    parts = [f"**SHA**: {code_span(plain(commit.short_sha))}"]
    url = commit_url(commit)
    if url:
        parts.append(f"🔗 [{t(lang, 'view_commit')}]({url})")
    pr = pr_url(commit, repo.url)
    if pr:
        parts.append(f"🔀 [{t(lang, 'pr', n=commit.pr)}]({pr})")
    files, adds, dels = file_counts(commit)
    if files is not None:
        lines = f" (+{adds} / -{dels})" if adds is not None else ""
        parts.append(f"📁 {t(lang, 'files', n=files)}{lines}")
    if commit.is_merge:
        parts.append(f"⤵️ {t(lang, 'merge')}")
    return " | ".join(parts)


def _level_label(importance: Importance, lang: str) -> str:
    sep = "" if lang == "zh" else " "
    return f"{EMOJI[importance]}{sep}{t(lang, importance.value)}"


def _label(lang: str, key: str, emoji: str) -> str:
    return f"**{emoji} {t(lang, key)}**"


def _field(lang: str, key: str, emoji: str, value: str) -> str:
    return f"{_label(lang, key, emoji)}{t(lang, 'colon')}{value}  "


def _insight_table(card: Card, lang: str) -> list[str]:
    rows = []
    for key, value in card.insight.answered().items():
        lines = bounded_list(value.splitlines(), lang)
        rows.append(f"| **{t(lang, key)}** | {'<br>'.join(md_text(line, cell=True) for line in lines)} |")
    if not rows:
        return []
    head = [f"| {t(lang, 'dimension')} | {t(lang, 'impact_col')} |", "|------|----------|"]
    return [_label(lang, "insight", "🔍") + "  ", "", *head, *rows, ""]


def _bullets(lang: str, key: str, emoji: str, items: list[str], numbered: bool = False) -> list[str]:
    points = [md_block(i) for i in bounded_list(items, lang)]
    if not points:
        return []
    marks = [f"{n}." for n in range(1, len(points) + 1)] if numbered else ["-"] * len(points)
    return [_label(lang, key, emoji) + "  ", *[f"{m} {p}  " for m, p in zip(marks, points, strict=True)], ""]


def _card_body(card: Card, lang: str, full: bool) -> list[str]:
    importance = _level_label(card.importance, lang)
    if card.importance_reason.strip():
        importance += f" — {md_text(bounded(card.importance_reason, lang))}"
    lines = [
        _field(lang, "change_type", "🎯", md_text(bounded(card.change_type, lang))),
        _field(lang, "importance", "⚡", importance),
    ]
    if not full:
        summary = t(lang, "sep").join(md_text(s) for s in bounded_list(card.summary, lang))
        return [*lines, _field(lang, "summary_short", "📋", summary)] if summary else lines
    lines.append("")
    lines += _bullets(lang, "summary", "📋", card.summary)
    lines += _bullets(lang, "impact", "🎯", card.impact_scope)
    lines += _insight_table(card, lang)
    lines += _bullets(lang, "risks", "⚠️", card.risks, numbered=True)
    lines += _bullets(lang, "recommendations", "💡", card.recommendations)
    not_read = bounded(", ".join(bounded_list(card.not_read, lang)), lang)
    if not_read:
        lines += [f"*{t(lang, 'not_read')}{t(lang, 'colon')}{md_text(not_read)}*", ""]
    if plain(card.conclusion):
        lines += [md_block(bounded(card.conclusion, lang)), ""]
    while lines and lines[-1] == "":
        lines.pop()
    return lines


def _entry_md(repo: RepoDigest, entry: DigestEntry, anchor: str, lang: str) -> list[str]:
    a, c = entry.analysis, entry.commit
    lines = [*_anchored(anchor, f"### {md_heading(_commit_title(c))}"), _card_header(repo, c, lang), ""]
    if lin := lineage_lines(entry, lang, esc=md_text, chan=lambda ch: md_text("#" + ch)):
        lines += [*(f"> {line}  " for line in lin), ""]
    note = status_note(a, lang)
    if note:
        lines += [f"*{'⏳' if a.status == AnalysisStatus.PENDING else '⚠️'} {md_text(note)}*", ""]
    elif a.status == AnalysisStatus.HEURISTIC:
        lines += [f"*ℹ️ {t(lang, 'heuristic')}*", ""]
    if a.card:
        full = note is None and a.card.importance != Importance.LOW
        lines += _card_body(a.card, lang, full)
    else:
        scored = _level_label(a.scored, lang) + t(lang, "scored")
        lines.append(_field(lang, "importance", "⚡", scored))
        if a.reasons:
            reasons = t(lang, "sep").join(md_text(r) for r in bounded_list(a.reasons, lang))
            lines.append(_field(lang, "reasons", "📋", reasons))
    lines += _interfaces_md(entry, lang)
    return [*lines, "", "---", ""]


def _interfaces_md(entry: DigestEntry, lang: str) -> list[str]:
    """The computed interface changes, stated as facts (names from upstream code, escaped)."""
    items, more = interface_items(entry.interfaces)
    if not items:
        return []
    lines = ["", _label(lang, "interfaces", "🔌") + "  "]
    lines += [f"- {code_span(obj)}{t(lang, 'colon')}{md_text(text)}  " for obj, text in items]
    if more:
        lines.append(f"- {t(lang, 'interfaces_more', n=more)}  ")
    if n := left_out(entry.interfaces):
        lines.append(f"*{t(lang, 'interfaces_left', n=n)}*  ")
    return lines


def render_card_markdown(entry: DigestEntry, language: str = "en", repo_url: str | None = None) -> str:
    """One commit's card as Markdown, as it stands in the daily report."""
    repo = RepoDigest(repo=entry.commit.repo, url=repo_url)
    lines = _entry_md(repo, entry, _Anchors().take(entry.commit.short_sha), language)
    while lines and lines[-1] in ("", "---"):
        lines.pop()
    return "\n".join(lines) + "\n"


def _repo_md(repo: RepoDigest, lang: str, tz: str, anchors: _Anchors) -> list[str]:
    slug = _slug(repo.name)
    name = clip(plain(repo.name), TITLE_CHARS)
    repo_anchor = anchors.take(f"repo-{slug}")
    lines = [*_anchored(repo_anchor, f"## {md_heading(name)}"), ""]
    lines += [f"> ℹ️ {md_text(note)}\n" for note in repo.notes]
    if repo.error:
        lines += [f"> ❌ {t(lang, 'repo_error', error=md_text(error_reason(repo.error)))}", ""]
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
        f"- [{md_text(name)}](#{repo_anchor})",
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


def render_markdown(digest: Digest) -> str:
    """The daily report as Markdown, laid out like the reference report."""
    lang, anchors = digest.language, _Anchors()
    lines = [f"# {t(lang, 'title', date=digest.date)}", ""]
    lines += impact_markdown(digest.repos, lang)  # what meets the team's code, first
    lines += overview_markdown(digest.repos, lang)  # the day at a glance, before any commit table
    if digest.alerts:
        alerts = [f"> - {md_block(clip(plain(a), 500))}" for a in digest.alerts]
        lines += [f"> **⚠️ {t(lang, 'alerts')}**", *alerts, ""]
    usage = usage_line(digest.usage, lang)
    if usage:
        lines += [f"*{usage}*", ""]
    for repo in digest.repos:
        lines += _repo_md(repo, lang, digest.timezone, anchors)
    while lines and lines[-1] == "":
        lines.pop()
    return "\n".join(lines) + "\n"
