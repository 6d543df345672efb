"""The day's overview in the Markdown report and the terminal digest."""

from __future__ import annotations

from analysis.facts import clip, commit_url, plain
from analysis.models import Commit, RepoDigest
from analysis.report.escape import TITLE_CHARS, bounded, code_span, md_block, md_heading, md_text
from analysis.report.lineage_lines import lineage_counts
from analysis.strings import t

SHAS_SHOWN = 8


def _shas(shas: list[str], commits: dict[str, Commit], lang: str) -> str:
    out = []
    for sha in shas[:SHAS_SHOWN]:
        c = commits.get(sha)
        url = commit_url(c) if c else None
        out.append(f"[{code_span(sha[:7])}]({url})" if url else code_span(sha[:7]))
    if len(shas) > SHAS_SHOWN:
        out.append(t(lang, "ov_more", n=len(shas) - SHAS_SHOWN))
    return ", ".join(out)


def _repo_overview_md(repo: RepoDigest, lang: str, named: bool) -> list[str]:
    o = repo.overview
    if o is None:
        return []
    commits = {e.commit.sha: e.commit for e in repo.entries}
    lines = [f"### {md_heading(clip(plain(repo.name), TITLE_CHARS))}", ""] if named else []
    lines += [f"**{md_text(bounded(o.headline, lang))}**", ""]
    if counts := lineage_counts(repo, lang):
        lines += [f"↩️ {counts}", ""]
    if o.source == "heuristic":
        lines += [f"*ℹ️ {t(lang, 'overview_heuristic')}*", ""]
    if o.attention:
        lines.append(f"**⚠️ {t(lang, 'ov_attention')}**  ")
        lines += [
            f"- {md_block(bounded(a.text, lang))} — {_shas(a.commits, commits, lang)}" for a in o.attention
        ]
        lines.append("")
    if o.themes:
        lines.append(f"**{t(lang, 'ov_themes')}**  ")
        for th in o.themes:
            title, text = md_text(bounded(th.title, lang)), md_text(bounded(th.text, lang))
            lines.append(f"- **{title}**{t(lang, 'colon')}{text} — {_shas(th.commits, commits, lang)}")
        lines.append("")
    return lines


def overview_markdown(repos: list[RepoDigest], lang: str) -> list[str]:
    """`## Overview` with each repository's headline, attention items and themes; nothing when none has one."""
    with_overview = [r for r in repos if r.overview is not None]
    if not with_overview:
        return []
    lines = [f"## {t(lang, 'overview')}", ""]
    for repo in with_overview:
        lines += _repo_overview_md(repo, lang, named=len(repos) > 1)
    return lines


def overview_text_lines(repo: RepoDigest, lang: str) -> list[str]:
    """The headline, attention items and themes as plain lines (unclipped; the terminal clips them)."""
    o = repo.overview
    if o is None:
        return []
    lines = [f"{t(lang, 'overview')}{t(lang, 'colon')}{plain(o.headline)}"]
    if counts := lineage_counts(repo, lang):
        lines.append(f"  ↩ {counts}")
    if o.source == "heuristic":
        lines.append(f"  ({t(lang, 'overview_heuristic')})")
    lines += [f"  ! {plain(a.text)} [{' '.join(s[:7] for s in a.commits[:SHAS_SHOWN])}]" for a in o.attention]
    lines += [
        f"  * {plain(th.title)}{t(lang, 'colon')}{plain(th.text)} [{' '.join(s[:7] for s in th.commits[:SHAS_SHOWN])}]"
        for th in o.themes
    ]
    return lines
