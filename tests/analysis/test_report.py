"""The Markdown report: its layout against the reference report, card depth, honesty and links."""

from __future__ import annotations

import re

import pytest

from analysis.models import Commit, Digest, Importance, RepoDigest, Usage
from analysis.report import render_json, render_markdown
from tests.analysis.sglang_day import LONG_TITLE, SGLANG, done, full_card, make_commit, make_digest

# The reference daily report this layout follows (sglang, 2026-01-24, written by the tool this one
# replaces), cut down to its skeleton: every kind of heading, both tables, the stats line, the
# contents, one full card, one compact card. Long lines are shortened and trailing spaces dropped.
REFERENCE = """# 每日更新报告（2026-01-24）

## sgl-project/sglang

| 提交时间 | 作者 | 提交信息 |
|----------|------|----------|
| 2026-01-24 22:59:55 | Trevor Morris | [NVIDIA] Add flashinfer all-to-all MOE dispatcher (#14668) |
| 2026-01-24 22:55:49 | TMC | [NPU] torch_npu profiler tensorboard path type fix (#17545) |
| 2026-01-24 21:27:13 | Yuan Luo | [Kimi-Linear] Refactor Kimi-Linear to support RadixLinearAttention (#17506) |

### 📊 统计摘要
> 本日共 27 个提交 | 🔴高 4 | 🟡中 14 | 🟢低 9
## 📋 目录

- [sgl-project/sglang](#sgl-project-sglang)
  - [📊 统计摘要](#-统计摘要)
  - [🔴 高重要度变更 (4)](#-🔴-高重要度变更-4)
    - [[NVIDIA] Add flashinfer all-to-all MOE dispatcher (#14668)](#2c2c4e4)
  - [🟡 中重要度变更 (14)](#-🟡-中重要度变更-14)
    - [[Kimi-Linear] Refactor Kimi-Linear to support RadixLinear...](#0c8165f)
  - [🟢 低重要度变更 (9)](#-🟢-低重要度变更-9)
    - [[NPU] torch_npu profiler tensorboard path type fix (#17545)](#458a43d)
#### 🔴 高重要度变更 (4)

### [NVIDIA] Add flashinfer all-to-all MOE dispatcher (#14668)
**SHA**: `2c2c4e4` | 🔗 [查看提交](https://github.com/sgl-project/sglang/commit/2c2c4e446b99c529896b3377b24e1b48b6a52e61)

**🎯 变更类型**：功能增强 / 架构变更 / 新增后端支持
**⚡ 重要程度**：🔴高

**📋 变更摘要**
- 为 SGLang 的专家并行（MoE）新增 *Flashinfer* All‑to‑All 调度器。

**🎯 影响范围**
- **核心调度层**：`sglang/srt/layers/moe/token_dispatcher/*`

**🔍 技术洞察**

| 维度 | 影响说明 |
|------|----------|
| **架构影响** | - **后端抽象扩展**：`MoeA2ABackend` 新增 `FLASHINFER`。<br>- **统一格式检查**。 |
| **性能影响** | - **通信路径优化**。 |

**⚠️ 潜在风险**
1. **依赖缺失**：如果运行环境未装配支持 All‑to‑All 的 Flashinfer。
2. **参数不匹配**：`ep_size` 被强制等于 `tp_size`。

**💡 关注建议**
- **兼容性检验**：在启动前加入版本检测。

---
此提交为 SGLang 引入了高效的 Flashinfer All‑to‑All MoE 调度实现。

---

#### 🟡 中重要度变更 (14)

### [Kimi-Linear] Refactor Kimi-Linear to support RadixLinearAttention (#17506)
**SHA**: `0c8165f` | 🔗 [查看提交](https://github.com/sgl-project/sglang/commit/0c8165f)

**🎯 变更类型**：功能增强
**⚡ 重要程度**：🟡 中

---

#### 🟢 低重要度变更 (9)

### [NPU] torch_npu profiler tensorboard path type fix (#17545)
**SHA**: `458a43d` | 🔗 [查看提交](https://github.com/sgl-project/sglang/commit/458a43d4acc20b41a610e024bf01cf8823838852)

**🎯 变更类型**：代码重构
**⚡ 重要程度**：🟢低
**📋 变更摘要**：将 `torch_npu.profiler.tensorboard_trace_handler` 的路径参数从 `Path` 对象改为 `str`。
"""
# What the reference shows, in order: the sections, and its headings other than card titles.
REFERENCE_SECTIONS = [
    "title",
    "repo",
    "stats",
    "toc",
    "group:🔴",
    "cards",
    "group:🟡",
    "cards",
    "group:🟢",
    "cards",
]
REFERENCE_HEADINGS = {
    (1, "每日更新报告（2026-01-24）"),
    (2, "sgl-project/sglang"),
    (3, "📊 统计摘要"),
    (2, "📋 目录"),
    (4, "🔴 高重要度变更 (n)"),
    (4, "🟡 中重要度变更 (n)"),
    (4, "🟢 低重要度变更 (n)"),
}
REFERENCE_COMMIT_COLUMNS = ["提交时间", "作者", "提交信息"]
REFERENCE_INSIGHT_COLUMNS = ["维度", "影响说明"]


# ---- Markdown helpers -----------------------------------------------------------------------


def headings(md: str) -> list[tuple[int, str]]:
    """(level, text) of every ATX heading."""
    out = []
    for line in md.splitlines():
        m = re.match(r"^(#{1,6}) (.*)$", line)
        if m:
            out.append((len(m.group(1)), m.group(2).strip()))
    return out


def section_kinds(md: str) -> list[str]:
    """The sequence of section kinds, consecutive cards folded into one."""
    kinds: list[str] = []
    for level, text in headings(md):
        if level == 1:
            kind = "title"
        elif level == 2 and ("目录" in text or "Contents" in text):
            kind = "toc"
        elif level == 2:
            kind = "repo"
        elif level == 3 and text.startswith("📊"):
            kind = "stats"
        elif level == 4:
            kind = "group:" + text.split()[0]
        else:
            kind = "cards"
        if not (kind == "cards" and kinds and kinds[-1] == "cards"):
            kinds.append(kind)
    return kinds


def table_rows(md: str) -> list[list[list[str]]]:
    """Every Markdown table as rows of cells, splitting on unescaped pipes."""
    tables, current = [], []
    for line in md.splitlines() + [""]:
        if line.startswith("|"):
            current.append([c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]])
        elif current:
            tables.append(current)
            current = []
    return tables


def card_chunks(md: str) -> dict[str, str]:
    """The text of each card keyed by its anchor id."""
    parts = re.split(r'<a id="([^"]+)"></a>', md)
    return {parts[i]: parts[i + 1] for i in range(1, len(parts), 2) if "**SHA**" in parts[i + 1]}


def chunk_for(md: str, commit: Commit) -> str:
    """The card text that shows this commit's short SHA."""
    found = [c for c in card_chunks(md).values() if f"`{commit.short_sha}`" in c]
    assert len(found) == 1
    return found[0]


@pytest.fixture
def digest() -> Digest:
    return make_digest("zh")


@pytest.fixture
def md(digest: Digest) -> str:
    return render_markdown(digest)


# ---- Markdown: layout against the reference ---------------------------------------------------


def test_the_reference_skeleton_has_the_recorded_structure():
    assert section_kinds(REFERENCE) == REFERENCE_SECTIONS
    assert section_headings(REFERENCE) == REFERENCE_HEADINGS
    tables = table_rows(REFERENCE)
    assert [t[0] for t in tables] == [REFERENCE_COMMIT_COLUMNS, REFERENCE_INSIGHT_COLUMNS]


def test_zh_sections_follow_the_reference_sequence():
    ours = render_markdown(make_digest("zh", extra_repos=False))
    assert section_kinds(ours) == REFERENCE_SECTIONS
    assert section_headings(ours) == REFERENCE_HEADINGS
    tables = table_rows(ours)
    assert tables[0][0] == REFERENCE_COMMIT_COLUMNS
    assert REFERENCE_INSIGHT_COLUMNS in [t[0] for t in tables[1:]]


def section_headings(md: str) -> set[tuple[int, str]]:
    """Every heading but the card titles, with counts replaced by n."""
    return {
        (lv, re.sub(r"\(\d+\)", "(n)", text)) for lv, text in headings(md) if lv != 3 or text.startswith("📊")
    }


def test_zh_labels_and_stats_line_match_the_reference(md: str):
    reference = REFERENCE
    for label in [
        "**🎯 变更类型**：",
        "**⚡ 重要程度**：🔴高",
        "**📋 变更摘要**",
        "**🎯 影响范围**",
        "**🔍 技术洞察**",
        "| 维度 | 影响说明 |",
        "**⚠️ 潜在风险**",
        "**💡 关注建议**",
        "**📋 变更摘要**：",
        "🔗 [查看提交](https://github.com/sgl-project/sglang/commit/",
    ]:
        assert label in reference, label
        assert label in md, label
    stats = re.compile(r"^> 本日共 (\d+) 个提交 \| 🔴高 (\d+) \| 🟡中 (\d+) \| 🟢低 (\d+)", re.M)
    assert stats.search(reference)
    assert stats.search(md).groups() == ("8", "2", "4", "2")


def test_commit_table_lists_every_commit_in_digest_timezone(digest: Digest, md: str):
    table = table_rows(md)[0]
    assert table[0] == ["提交时间", "作者", "提交信息"]
    rows = table[2:]
    assert len(rows) == len(digest.repos[0].entries)
    assert rows[0][:2] == ["2026-01-24 22:00:00", "Trevor Morris"]  # 14:00 UTC is 22:00 in Shanghai
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", r[0]) for r in rows)


def test_every_table_keeps_its_column_count(md: str):
    tables = table_rows(md)
    assert len(tables) >= 3  # the commit table and at least two insight tables
    for table in tables:
        widths = {len(row) for row in table}
        assert widths == {len(table[0])}, table
        assert len(table[0]) in (2, 3)


def test_toc_anchors_resolve_to_cards(digest: Digest, md: str):
    ids = re.findall(r'<a id="([^"]+)"></a>', md)
    assert len(ids) == len(set(ids))
    links = re.findall(r"\]\(#([^)]+)\)", md)
    assert links and set(links) <= set(ids)
    chunks = card_chunks(md)
    toc_cards = re.findall(r"^    - \[.*\]\(#([^)]+)\)$", md, re.M)
    assert len(toc_cards) == len(digest.repos[0].entries)
    for entry in digest.repos[0].entries:
        anchor = entry.commit.short_sha
        assert anchor in toc_cards
        assert f"**SHA**: `{entry.commit.short_sha}`" in chunks[anchor]


def test_toc_titles_are_truncated_like_the_reference(md: str):
    assert f"    - [\\[Kimi-Linear\\] {LONG_TITLE[14:57]}...](#" in md
    assert "    - [\\[NVIDIA\\] Add flashinfer all-to-all MOE dispatcher (#14668)](#" in md


def test_groups_are_ordered_by_importance_then_digest_order(digest: Digest, md: str):
    entries = digest.repos[0].entries
    positions = [md.index(f'<a id="{e.commit.short_sha}">') for e in entries]
    by_level = {lv: [] for lv in Importance}
    for e, pos in zip(entries, positions, strict=True):
        by_level[e.analysis.importance].append(pos)
    high, medium, low = by_level[Importance.HIGH], by_level[Importance.MEDIUM], by_level[Importance.LOW]
    assert max(high) < min(medium) and max(medium) < min(low)
    assert all(group == sorted(group) for group in (high, medium, low))


def test_same_short_sha_in_two_repos_gets_distinct_anchors():
    first = make_commit("Fix scheduler (#1)", sha="abcdef0" + "1" * 33)
    second = make_commit("Fix scheduler (#1)", repo="vllm-project/vllm", sha="abcdef0" + "2" * 33)
    card = full_card(Importance.HIGH)
    digest = Digest(
        date="2026-01-24",
        timezone="UTC",
        language="en",
        repos=[
            RepoDigest(repo=SGLANG, entries=[done(first, card)]),
            RepoDigest(repo="vllm-project/vllm", entries=[done(second, card)]),
        ],
    )
    md = render_markdown(digest)
    ids = re.findall(r'<a id="([^"]+)"></a>', md)
    assert len(ids) == len(set(ids))
    assert set(re.findall(r"\]\(#([^)]+)\)", md)) <= set(ids)
    assert len(card_chunks(md)) == 2
    assert render_markdown(digest) == md  # stable


# ---- Markdown: card depth and honesty ---------------------------------------------------------


def test_full_card_has_every_section(digest: Digest, md: str):
    chunk = chunk_for(md, digest.repos[0].entries[0].commit)
    for label in ["变更摘要", "影响范围", "技术洞察", "潜在风险", "关注建议"]:
        assert re.search(rf"^\*\*\S+ {label}\*\*  $", chunk, re.M), label
    assert re.search(r"^1\. 依赖缺失", chunk, re.M) and re.search(r"^2\. ep\\_size", chunk, re.M)
    assert "- 启动前检测 flashinfer 版本" in chunk
    assert "\\# 此提交引入了" in chunk  # a conclusion cannot open a heading
    insight = [t for t in table_rows(chunk) if t[0][0] == "维度"][0]
    assert [row[0] for row in insight[2:]] == ["**架构影响**", "**性能影响**", "**可维护性**"]
    assert "<br>" in insight[2][1] and "\\|" in insight[2][1]
    assert "<script>" not in chunk and "&lt;script&gt;" in chunk


def test_all_none_insight_drops_the_table(digest: Digest, md: str):
    chunk = chunk_for(md, digest.repos[0].entries[2].commit)
    assert "技术洞察" not in chunk and "| 维度" not in chunk
    assert "总体来说重构合理。" in chunk


def test_low_card_is_compact(digest: Digest, md: str):
    chunk = chunk_for(md, digest.repos[0].entries[-1].commit)
    assert "**📋 变更摘要**：将 profiler 的路径参数" in chunk
    assert "LOW-CARD-RISK" not in chunk and "技术洞察" not in chunk
    assert "**⚡ 重要程度**：🟢低" in chunk


def test_failed_and_pending_analyses_get_honest_notes(digest: Digest, md: str):
    failed, pending = digest.repos[0].entries[1].commit, digest.repos[0].entries[5].commit
    f_chunk, p_chunk = chunk_for(md, failed), chunk_for(md, pending)
    assert "LLM分析失败" not in md and "暂无分析" not in md
    assert "/v1/chat/completions" not in md  # the raw error is not printed
    notes = [line for line in f_chunk.splitlines() if "失败" in line]
    assert len(notes) == 1 and "3 次" in notes[0] and "400 Client Error" in notes[0]
    assert "**⚡ 重要程度**：🔴高（评分）" in f_chunk
    assert "touches 120 kernel files" in f_chunk  # the scorer's summary
    assert "🔗 [查看提交](" in f_chunk and "🔀 [PR #17353](" in f_chunk
    assert "下次运行时重试" in p_chunk and "new kernel" in p_chunk
    assert "变更摘要" not in f_chunk + p_chunk


def test_heuristic_card_is_labelled(digest: Digest, md: str):
    chunk = chunk_for(md, digest.repos[0].entries[6].commit)
    assert "启发式卡片：未配置 LLM" in chunk and "Dockerfile changed" in chunk
    assert sum("启发式" in chunk for chunk in card_chunks(md).values()) == 1


def test_header_shows_pr_files_and_merge(digest: Digest, md: str):
    entries = digest.repos[0].entries
    head = chunk_for(md, entries[0].commit)
    assert "🔀 [PR #14668](https://github.com/sgl-project/sglang/pull/14668)" in head
    assert "📁 2 个文件 (+652 / -12)" in head
    merge = chunk_for(md, entries[4].commit)
    assert "合并提交" in merge and "📁 30 个文件" in merge and "PR #" not in merge
    assert sum("合并提交" in c for c in card_chunks(md).values()) == 1


def test_untrusted_title_cannot_break_markdown(digest: Digest, md: str):
    assert "\x1b" not in md and "\x07" not in md
    assert "<!channel>" not in md and "<!here>" not in md
    row = [r for r in table_rows(md)[0] if "cleanup" in r[2]][0]
    assert len(row) == 3 and "\\|" in row[2] and "&lt;!channel&gt;" in row[2]
    assert re.search(r"^### Fix a \\\| b &lt;!channel&gt; .*cleanup$", md, re.M)
    chunk = chunk_for(md, digest.repos[0].entries[3].commit)
    assert "- line one line two \\| with pipe" in chunk


def test_alerts_usage_errors_and_empty_repos(md: str):
    top = md.split("\n## ", 1)[0]
    assert "⚠️ 告警" in top and "> - LLM endpoint returned 429" in top
    assert "调用 12 次" in top and "48000" in top and "6500" in top and "$0.0123" in top
    vllm = md.split("## vllm-project/vllm", 1)[1].split("\n## ", 1)[0]
    assert "本期没有提交" in vllm and "|" not in vllm
    private = md.split("## acme/private", 1)[1]
    assert "无法读取仓库：404 Not Found" in private and "本期没有提交" not in private


def test_no_usage_line_without_llm_calls():
    d = make_digest("en")
    d.usage = Usage()
    assert "LLM usage" not in render_markdown(d)


def test_english_headings_and_labels():
    md = render_markdown(make_digest("en"))
    hs = [text for _, text in headings(md)]
    assert hs[0] == "Daily Update Report (2026-01-24)"
    assert "📊 Summary" in hs and "📋 Contents" in hs
    assert (
        "🔴 High importance (2)" in hs and "🟡 Medium importance (4)" in hs and "🟢 Low importance (2)" in hs
    )
    assert "> In total 8 commits | 🔴 High 2 | 🟡 Medium 4 | 🟢 Low 2" in md
    for label in [
        "Change type",
        "Importance",
        "Summary",
        "Impact scope",
        "Technical insight",
        "Architecture",
        "Performance",
        "Maintainability",
        "Potential risks",
        "Recommendations",
        "View commit",
        "heuristic card: no LLM configured",
        "Analysis pending: will be retried on the next run",
        "Analysis failed after 3 attempts: ",
        "No commits in this period.",
    ]:
        assert label in md, label
    assert not re.search(r"[\u4e00-\u9fff]", "\n".join(hs[:3]))
    assert section_kinds(md)[:5] == ["title", "repo", "stats", "toc", "group:🔴"]


def test_local_clone_commits_have_no_links_and_keep_headings_intact():
    local = make_commit("Fix issue #", repo="checkout", hours=1)
    assert local.url is None
    odd = make_commit("Bump version (#12)", repo="checkout", hours=2)
    odd.url = "javascript:alert(1)"
    card = full_card(Importance.HIGH)
    digest = Digest(
        date="2026-01-24",
        timezone="UTC",
        language="en",
        repos=[RepoDigest(repo="checkout", entries=[done(local, card), done(odd, card)])],
    )
    md = render_markdown(digest)
    assert "### Fix issue \\#" in md.splitlines()  # a trailing # is not eaten as a closing sequence
    assert "View commit" not in md and "javascript:" not in md and "/pull/" not in md
    data = render_json(digest)["repos"][0]["commits"]
    assert [c["pr"] for c in data] == [None, 12] and data[1]["pr_url"] is None
