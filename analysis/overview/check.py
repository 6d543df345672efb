"""A model's overview checked against the day: only the day's commits, each in one theme, every field bounded."""

from __future__ import annotations

import re

from analysis.facts import clip, plain
from analysis.overview.overview_types import (
    HEADLINE_CHARS,
    MAX_ATTENTION,
    MAX_THEMES,
    TEXT_CHARS,
    TITLE_CHARS,
    AttentionItem,
    Overview,
    OverviewAnswer,
    Source,
    Theme,
)

MIN_PREFIX = 7
_HEX_RE = re.compile(r"[0-9a-f]{7,40}")


def resolve(cited: str, shas: list[str]) -> str | None:
    """The one day's SHA that `cited` names (a prefix of at least seven hex digits), else None."""
    m = _HEX_RE.search(plain(cited).lower())
    if m is None:
        return None
    found = [s for s in shas if s.lower().startswith(m.group())]
    return found[0] if len(found) == 1 else None


def _resolved(cited: list[str], shas: list[str], taken: set[str] | None = None) -> list[str]:
    out: list[str] = []
    for c in cited[: len(shas) + 20]:
        sha = resolve(c, shas)
        if sha and sha not in out and (taken is None or sha not in taken):
            out.append(sha)
    return out


def checked(answer: OverviewAnswer, shas: list[str], source: Source = "llm") -> Overview | None:
    """The answer with unknown SHAs dropped, every commit in at most one theme, empty themes and items
    dropped and every text bounded; None when no theme is left or the headline is blank."""
    taken: set[str] = set()
    themes: list[Theme] = []
    for th in answer.themes[: MAX_THEMES * 4]:
        commits = _resolved(th.commits, shas, taken)
        title = clip(plain(th.title), TITLE_CHARS)
        if not commits or not title:
            continue
        taken.update(commits)
        themes.append(Theme(title=title, text=clip(plain(th.text), TEXT_CHARS), commits=commits))
        if len(themes) == MAX_THEMES:
            break
    attention: list[AttentionItem] = []
    for item in answer.attention[: MAX_ATTENTION * 4]:
        commits = _resolved(item.commits, shas)
        text = clip(plain(item.text), TEXT_CHARS)
        if commits and text:
            attention.append(AttentionItem(text=text, commits=commits))
        if len(attention) == MAX_ATTENTION:
            break
    headline = clip(plain(answer.headline), HEADLINE_CHARS)
    if not themes or not headline:
        return None
    return Overview(headline=headline, themes=themes, attention=attention, source=source)
