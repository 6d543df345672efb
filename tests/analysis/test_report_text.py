"""The terminal digest: clean, within 100 columns, grouped by importance."""

from __future__ import annotations

import re
import unicodedata

import pytest

from analysis.models import Digest, RepoDigest
from analysis.report import render_text
from tests.analysis.sglang_day import make_digest


@pytest.fixture
def digest() -> Digest:
    return make_digest("zh")


def test_text_gives_a_heuristic_card_its_reasons(digest: Digest):
    text = render_text(digest)
    assert "only build files changed" in text and "Dockerfile changed" in text


_SGR = re.compile(r"\x1b\[\d+m")


def columns(line: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line)


@pytest.mark.parametrize("color", [False, True])
@pytest.mark.parametrize("language", ["zh", "en"])
def test_text_is_clean_and_fits(color: bool, language: str):
    text = render_text(make_digest(language), color=color)
    visible = _SGR.sub("", text)
    assert ("\x1b[" in text) == color
    bad = [ch for ch in visible if unicodedata.category(ch) in ("Cc", "Cf") and ch != "\n"]
    assert not bad
    assert all(columns(line) <= 100 for line in visible.splitlines())


def test_text_groups_and_marks(digest: Digest):
    text = render_text(digest)
    entries = digest.repos[0].entries
    pos = {e.commit.short_sha: text.index(e.commit.short_sha) for e in entries}
    assert (
        pos[entries[0].commit.short_sha] < pos[entries[1].commit.short_sha] < pos[entries[2].commit.short_sha]
    )
    assert pos[entries[4].commit.short_sha] < pos[entries[6].commit.short_sha]
    assert "8 个提交 | 高 2 | 中 4 | 低 2 | ⚠️失败 1 | ⏳待分析 1" in text
    high_block = text.split(entries[0].commit.short_sha, 1)[1].split(entries[1].commit.short_sha, 1)[0]
    assert high_block.count("\n           - ") == 3  # high cards show three summary lines
    kimi_block = text.split(entries[2].commit.short_sha, 1)[1].split(entries[3].commit.short_sha, 1)[0]
    assert kimi_block.count("\n           - ") == 1
    assert "Yuan Luo · 2026-01-24 20:00 · 功能增强 / 新增后端支持 · PR #17506" in kimi_block
    assert "启发式卡片" in text and "下次运行时重试" in text and "3 次尝试后失败" in text
    assert "合并提交" in text and "本期没有提交" in text and "无法读取仓库" in text
    assert kimi_block.splitlines()[0].endswith("…")  # the long title is clipped, not wrapped
    fa4_block = text.split(entries[1].commit.short_sha, 1)[1].split("\n\n", 1)[0]
    assert "评分依据：touches 120 kernel files" in fa4_block


def test_text_wraps_a_long_repository_error_instead_of_cutting_it():
    error = "cannot reach GitHub at ghe.example.com (ConnectError: All connection attempts failed) after 4 attempts"
    text = render_text(Digest("2026-01-24", "UTC", "en", [RepoDigest(repo="acme/engine", error=error)]))
    assert "after 4 attempts" in text and "…" not in text
    assert all(columns(line) <= 100 for line in text.splitlines())
