""" "Affects your code" in the Markdown report and the terminal digest: upstream changes that meet the team's code."""

from __future__ import annotations

from analysis.facts import clip, plain
from analysis.models import RepoDigest
from analysis.report.escape import TITLE_CHARS, code_span, md_heading, md_text
from analysis.strings import t
from analysis.teamcode.affects import PLACES_SHOWN
from analysis.teamcode.impact import Impact

ITEMS_SHOWN = 30  # impacts listed per repository


def _one_line(text: str, limit: int = 200) -> str:
    return clip(plain(" ".join(str(text).split())), limit)


def places_text(impact: Impact, lang: str, fmt: str = "text") -> str:
    """The first places as `file:line`, then "and N more places"; code spans in Markdown."""
    shown = [f"{_one_line(f, 150)}:{n}" for f, n in impact.places[:PLACES_SHOWN]]
    if fmt == "md":
        shown = [code_span(s) for s in shown]
    if len(impact.places) > PLACES_SHOWN:
        shown.append(t(lang, "affects_more", n=len(impact.places) - PLACES_SHOWN))
    return ", ".join(shown)


def _md_item(i: Impact, lang: str) -> str:
    head = f"{code_span(i.sha[:7])} {code_span(_one_line(i.object, 150))}"
    return f"- {head}{t(lang, 'colon')}{md_text(_one_line(i.change))} — {places_text(i, lang, 'md')}"


def impact_markdown(repos: list[RepoDigest], lang: str) -> list[str]:
    """`## Affects your code`, direct hits then owner-level ones, per repository; nothing when nothing is met."""
    hit = [r for r in repos if r.impact]
    if not hit:
        return []
    lines = [f"## ⚠️ {t(lang, 'affects')}", ""]
    for repo in hit:
        if len(repos) > 1:
            lines += [f"### {md_heading(clip(plain(repo.name), TITLE_CHARS))}", ""]
        for direct, key in ((True, "affects"), (False, "affects_owner")):
            items = [i for i in repo.impact if i.direct == direct][:ITEMS_SHOWN]
            if items:
                label = [] if direct else [f"**{t(lang, key)}**  "]
                lines += [*label, *(_md_item(i, lang) for i in items), ""]
    return lines


def impact_text_lines(repo: RepoDigest, lang: str) -> list[str]:
    """The impacts as plain lines (unclipped; the terminal clips them), direct hits first."""
    if not repo.impact:
        return []
    lines = []
    for direct, key in ((True, "affects"), (False, "affects_owner")):
        items = [i for i in repo.impact if i.direct == direct][:ITEMS_SHOWN]
        if items:
            lines.append(f"{t(lang, key)}{t(lang, 'colon')}")
        lines += [
            f"  ! {i.sha[:7]} {_one_line(i.object, 150)}{t(lang, 'colon')}{_one_line(i.change)} — {places_text(i, lang)}"
            for i in items
        ]
    return lines
