"""Words a reader sees: singulars, whole sentences, the terminal's width, reasons in the digest's language."""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, datetime

import pytest

from analysis.heuristic import heuristic_analysis, heuristic_card, impact_scope, shorten
from analysis.importance import score
from analysis.models import Commit, Digest, DigestEntry, FileChange, RepoDigest
from analysis.report import render_card_markdown, render_markdown, render_text
from analysis.strings import t
from tests.analysis.sglang_day import make_digest
from tests.chinese import english_words

_SGR = re.compile(r"\x1b\[\d+m")


def commit(message: str, files: list[str] | None = None) -> Commit:
    return Commit(
        repo="sgl-project/sglang",
        sha="0123456789abcdef0123456789abcdef01234567",
        message=message,
        author_name="Dev",
        committed_at=datetime(2026, 1, 24, tzinfo=UTC),
        files=[FileChange(path=p, additions=2, deletions=1) for p in files or []],
    )


def test_one_is_singular():
    assert t("en", "commits", n=1) == "1 commit" and t("en", "commits", n=2) == "2 commits"
    assert t("en", "files", n=1) == "1 file" and t("zh", "files", n=1) == "1 个文件"
    assert impact_scope(commit("x", ["src/a.py"])) == ["src (1 file)"]
    assert impact_scope(commit("x", ["src/a.py"]), "zh") == ["src (1 个文件)"]
    c = commit("Fix the cache", ["src/a.py"])
    verdict = score(c)
    entry = DigestEntry(c, heuristic_analysis(c, verdict))
    card = render_card_markdown(entry, "en")
    assert "📁 1 file " in card and "1 files" not in card
    digest = Digest("2026-01-24", "UTC", "en", [RepoDigest(repo="sgl-project/sglang", entries=[entry])])
    assert "1 commit " in render_markdown(digest) and "1 commits" not in render_markdown(digest)
    assert "1 commit |" in render_text(digest)


def test_a_wrapped_paragraph_is_read_whole():
    message = (
        "Support the MoE family (#4274)\n\n"
        "This adds the dispatcher for the DeepSeek family (#4274) and\n"
        "keeps the old path for dense models.\n\n"
        "Signed-off-by: Dev <dev@example.com>\n"
    )
    card = heuristic_card(commit(message, ["src/a.py"]), score(commit(message)))
    assert card.summary[1] == (
        "This adds the dispatcher for the DeepSeek family (#4274) and keeps the old path for dense models."
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "The first sentence says what the commit does. " + "Then a very long second sentence " * 8,
            "The first sentence says what the commit does.",
        ),
        ("A first clause that is long enough, " + "and then a clause that goes on " * 8, None),
        ("word " * 60, None),
    ],
)
def test_long_summaries_end_on_a_boundary(text, expected):
    out = shorten(text.strip(), 120)
    assert len(out) <= 120
    if expected:
        assert out == expected
    else:
        assert out.endswith("…") and text.startswith(out[:-1].rstrip()) and out[-2] != " "
        assert text[len(out) - 1] in " ,"  # cut where a word or a clause ends


def test_scorer_reasons_follow_the_language():
    c = commit("feat!: remove the legacy scheduler", [f"src/m{i}.py" for i in range(12)])
    en, zh = score(c).reasons, score(c, language="zh").reasons
    assert len(en) == len(zh) and "marked breaking" in en and "标记为破坏性变更" in zh
    assert all(english_words(r, ["feat", "scheduler"]) == set() for r in zh), zh
    assert score(commit("docs: x", ["README.md"]), language="zh").reasons[-1] == "仅改动了文档"


def columns(line: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line)


@pytest.mark.parametrize("width", [60, 100, 160])
@pytest.mark.parametrize("language", ["en", "zh"])
def test_the_terminal_digest_takes_the_width_it_is_given(width, language):
    lines = _SGR.sub("", render_text(make_digest(language), width=width)).splitlines()
    assert max(columns(line) for line in lines) <= width
    if width > 100:
        assert max(columns(line) for line in lines) > 100  # long titles use the room


def test_a_clipped_terminal_line_ends_on_a_word():
    c = commit(
        "Support the dispatcher for the DeepSeek family of models in the expert parallel path", ["a.py"]
    )
    entry = DigestEntry(c, heuristic_analysis(c, score(c)))
    digest = Digest("2026-01-24", "UTC", "en", [RepoDigest(repo="sgl-project/sglang", entries=[entry])])
    [line] = [x for x in render_text(digest, width=60).splitlines() if "Support the" in x]
    words = line.split("  ", 2)[-1].removesuffix("…").split()
    assert line.endswith("…") and all(w in c.title.split() for w in words)
