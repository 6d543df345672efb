"""What the report and Slack both show: counts, usage, notes, links and clipped text."""

from __future__ import annotations

import pytest

from analysis.facts import (
    ELLIPSIS,
    brief_note,
    clean,
    clip,
    display_width,
    error_reason,
    plain,
    pr_url,
    short,
    stats,
    status_note,
    usage_line,
)
from analysis.models import Analysis, AnalysisStatus, Importance, Usage
from tests.analysis.sglang_day import make_commit, sglang_repo


def test_clean_drops_control_and_format_characters_but_keeps_lines():
    assert clean("a\x00b\x07c\u202ed\u200be\nf\tg") == "abcde\nf\tg"
    assert clean(None) == ""


def test_plain_is_one_line():
    assert plain(" a\n\tb\r\n  c\x1b[2J ") == "a b c[2J"


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("short", 10, "short"),
        ("exactly10!", 10, "exactly10!"),
        ("a long sentence here", 10, "a long se" + ELLIPSIS),
        ("trailing  spaces", 11, "trailing" + ELLIPSIS),
    ],
)
def test_clip_counts_characters(text, limit, expected):
    assert clip(text, limit) == expected
    assert len(clip(text, limit)) <= limit


def test_clip_by_terminal_columns_counts_wide_characters_twice():
    out = clip("变更摘要变更摘要", 9, width=display_width)
    assert out == "变更摘要" + ELLIPSIS and display_width(out) <= 9


def test_short_cleans_then_clips():
    assert short("Fix\n  the\u202e cache\x07 layer", 14) == "Fix the cache" + ELLIPSIS


def test_short_reason_keeps_first_line_and_hosts_only():
    error = "400 Bad Request for url: https://api.example.test/v1/chat?key=abc\nTraceback: ..."
    assert error_reason(error) == "400 Bad Request for url: api.example.test"
    assert len(error_reason("x" * 500)) == 120


def test_pr_url_uses_the_repository_address_then_the_commits():
    c = make_commit("Speed up the loader (#42)", repo="acme/engine")
    assert pr_url(c) == "https://github.com/acme/engine/pull/42"
    assert (
        pr_url(c, "https://ghe.example.test/acme/engine/") == "https://ghe.example.test/acme/engine/pull/42"
    )
    assert pr_url(make_commit("No number here", repo="acme/engine")) is None


@pytest.mark.parametrize("url", ["javascript:alert(1)", "https://x.test/a b", "https://x.test/a)(b", None])
def test_pr_url_never_builds_on_an_unsafe_address(url):
    c = make_commit("Bump (#7)", repo="checkout")
    c.url = url
    assert pr_url(c, url) is None


def test_stats_count_levels_and_unfinished_analyses():
    s = stats(sglang_repo())
    assert (s.total, s.failed, s.pending) == (8, 1, 1)
    assert s.levels == {Importance.HIGH: 2, Importance.MEDIUM: 4, Importance.LOW: 2}
    assert list(s.levels) == [Importance.HIGH, Importance.MEDIUM, Importance.LOW]
    assert s.unfinished() == [("failed", 1), ("pending", 1)]


def test_usage_line_in_both_forms_and_none_when_nothing_was_spent():
    u = Usage(llm_calls=12, prompt_tokens=30_000, completion_tokens=4_567, cost_usd=0.0123)
    assert usage_line(u, "en", brief=True) == "LLM: 12 calls · 34,567 tokens · $0.0123"
    long = usage_line(u, "en")
    assert long.startswith("LLM usage: 12 calls, 30000 prompt + 4567 completion") and "$0.0123" in long
    assert usage_line(Usage(), "en") is None and usage_line(Usage(), "zh", brief=True) is None


def test_status_notes_for_failed_pending_and_heuristic():
    failed = Analysis("s", AnalysisStatus.FAILED, Importance.HIGH, attempts=3, error="boom\nat line 2")
    assert status_note(failed, "en") == "Analysis failed after 3 attempts: boom"
    assert "3 次" in status_note(failed, "zh")
    pending = Analysis("s", AnalysisStatus.PENDING, Importance.LOW)
    assert "retried" in status_note(pending, "en")
    assert status_note(Analysis("s", AnalysisStatus.DONE, Importance.LOW), "en") is None
    assert brief_note(AnalysisStatus.HEURISTIC, "en") == "scored by rules; no LLM analysis"
    assert brief_note(AnalysisStatus.DONE, "en") is None
