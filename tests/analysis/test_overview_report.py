"""The overview in the Markdown report, the terminal digest and the JSON: placed before the commit table,
in the report's language, and untrusted model text stays text."""

from __future__ import annotations

import pytest

from analysis.overview.overview_types import AttentionItem, Overview, Theme
from analysis.report import render_markdown
from analysis.report.json import render_json
from analysis.report.text import render_text
from tests.analysis.test_report_injection import (
    _ADDRESS,
    BENIGN,
    PAYLOADS,
    _digest,
    _parse,
    _product_links,
    _structure,
)
from tests.fakes.digests import digest


def _overview(text: str, shas: list[str]) -> Overview:
    return Overview(
        headline=text,
        themes=[
            Theme(title=text, text=text, commits=shas[:2]),
            Theme(title=text, text=text, commits=shas[2:]),
        ],
        attention=[AttentionItem(text=text, commits=shas[:1])],
        source="llm",
    )


def _with_overview(text: str):
    d = _digest(text)
    d.repos[0].overview = _overview(text, [e.commit.sha for e in d.repos[0].entries])
    return d


@pytest.mark.parametrize("payload", PAYLOADS)
def test_untrusted_overview_text_renders_as_text(payload: str):
    d = _with_overview(payload)
    markdown = render_markdown(d)
    tags, raw = _parse(markdown)
    benign, _ = _parse(render_markdown(_with_overview(BENIGN)))
    assert _structure(tags) == _structure(benign)  # no heading, list, table or link the product did not make
    hrefs = {attrs.get("href") for name, attrs in tags.tags if name == "a" and "href" in attrs}
    assert hrefs <= _product_links(d, tags)  # only the day's commit addresses
    assert not _ADDRESS.search("".join(tags.text_outside_code))
    assert "## Overview" in markdown


def test_the_overview_comes_right_after_the_title_before_the_commit_table():
    d = digest(high=2, medium=2, low=1)
    shas = [e.commit.sha for e in d.repos[0].entries]
    d.repos[0].overview = _overview("MoE dispatch lands", shas)
    md = render_markdown(d)
    lines = md.splitlines()
    assert lines[0].startswith("# ") and lines[2] == "## Overview"
    assert md.index("## Overview") < md.index("| Committed |") and "**⚠️ Needs attention**" in md
    first = d.repos[0].entries[0].commit
    assert f"[`{first.short_sha}`]({first.url})" in md
    d.language = "zh"
    d.repos[0].overview.source = "heuristic"
    zh = render_markdown(d)
    assert "## 今日概览" in zh and "按路径和标题的规则生成" in zh and "**主题**" in zh


def test_terminal_shows_headline_and_themes_above_the_cards_and_json_has_full_shas():
    d = digest(high=2, medium=2, low=1)
    shas = [e.commit.sha for e in d.repos[0].entries]
    d.repos[0].overview = _overview("MoE dispatch lands", shas)
    text = render_text(d)
    assert text.index("Overview: MoE dispatch lands") < text.index(
        d.repos[0].entries[0].commit.short_sha + "  "
    )
    assert "  * MoE dispatch lands: MoE dispatch lands [" in text
    assert all(len(line) <= 100 for line in text.splitlines())
    out = render_json(d)["repos"][0]["overview"]
    assert out == {
        "headline": "MoE dispatch lands",
        "themes": [
            {"title": "MoE dispatch lands", "text": "MoE dispatch lands", "commits": shas[:2]},
            {"title": "MoE dispatch lands", "text": "MoE dispatch lands", "commits": shas[2:]},
        ],
        "attention": [{"text": "MoE dispatch lands", "commits": shas[:1]}],
        "source": "llm",
    }
    d.repos[0].overview = None
    assert render_json(d)["repos"][0]["overview"] is None and "Overview" not in render_markdown(d)
