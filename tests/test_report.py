"""Markdown, terminal and JSON rendering of digests."""

from __future__ import annotations

import json
import re
import unicodedata
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from analysis.models import (
    Analysis,
    AnalysisStatus,
    Card,
    Commit,
    Digest,
    DigestEntry,
    FileChange,
    Importance,
    Insight,
    RepoDigest,
    Usage,
)
from analysis.report import render_json, render_markdown, render_text

REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "reference" / "daily-report-sglang-2026-01-24.md"
SGLANG = "sgl-project/sglang"
FAILED_ERROR = (
    "API请求失败: 400 Client Error: Bad Request for url: https://integrate.api.nvidia.com/v1/chat/completions"
)
NASTY_TITLE = "Fix a | b <!channel> \x1b[2J\x1b]0;owned\x07 cleanup"
LONG_TITLE = (
    "[Kimi-Linear] Refactor Kimi-Linear to support RadixLinearAttention across every backend (#17506)"
)

_sha_counter = iter(range(1, 10_000))


def _sha(prefix: str = "") -> str:
    n = next(_sha_counter)
    return (prefix + f"{n:07x}" + "ab" * 20)[:40]


def make_commit(title: str, *, repo: str = SGLANG, hours: int = 0, sha: str | None = None, **kw) -> Commit:
    """A commit on 2026-01-24 (UTC), `hours` before 14:00."""
    sha = sha or _sha()
    url = f"https://github.com/{repo}/commit/{sha}" if "/" in repo else None
    return Commit(
        repo=repo,
        sha=sha,
        message=title + "\n\nBody text.",
        author_name=kw.pop("author", "Trevor Morris"),
        committed_at=datetime(2026, 1, 24, 14, 0, tzinfo=UTC) - timedelta(hours=hours),
        url=url,
        **kw,
    )


def full_card(importance: Importance, **kw) -> Card:
    """A card with every field filled, as the LLM writes them."""
    values = {
        "change_type": "功能增强 / 新增后端支持",
        "importance": importance,
        "importance_reason": "changes the MoE dispatch path",
        "summary": [
            "为专家并行新增 *Flashinfer* All-to-All 调度器。",
            "在配置层面加入 `flashinfer` 作为 `--moe-a2a-backend` 选项。",
            "新增 `FlashinferDispatcher` 与通信后端适配。",
            "保持现有调度器兼容。",
        ],
        "impact_scope": ["`sglang/srt/layers/moe/token_dispatcher/*`", "`sglang/srt/server_args.py`"],
        "insight": Insight(
            architecture="后端抽象扩展 | 新增 FLASHINFER\n统一格式检查",
            performance="通信路径优化",
            security="none",
            maintainability="新增 flashinfer_utils.py <script>alert(1)</script>",
        ),
        "risks": ["依赖缺失会导致启动失败", "ep_size 被强制等于 tp_size"],
        "recommendations": ["启动前检测 flashinfer 版本", "补充跨节点测试"],
        "conclusion": "# 此提交引入了高效的 All-to-All 调度实现。",
    }
    values.update(kw)
    return Card(**values)


def done(commit: Commit, card: Card, scored: Importance | None = None) -> DigestEntry:
    """An entry with a finished LLM card."""
    a = Analysis(sha=commit.sha, status=AnalysisStatus.DONE, scored=scored or card.importance, card=card)
    return DigestEntry(commit, a)


def sglang_repo() -> RepoDigest:
    """A realistic day: high, medium and low cards, heuristic, pending, failed, merge and a hostile title."""
    files = [
        FileChange("python/sglang/srt/layers/moe/token_dispatcher/flashinfer.py", "added", 612, 0),
        FileChange("python/sglang/srt/server_args.py", additions=40, deletions=12),
    ]
    c_flash = make_commit("[NVIDIA] Add flashinfer all-to-all MOE dispatcher (#14668)", hours=0, files=files)
    c_fa4 = make_commit("Move fa4 from sgl-kernel to jit kernel (#17353)", hours=1, author="Xiaoyu Zhang")
    c_kimi = make_commit(LONG_TITLE, hours=2, author="Yuan Luo")
    c_nasty = make_commit(NASTY_TITLE, hours=3, author="Mallory | <!here>")
    c_merge = make_commit(
        "Merge branch 'main' into feature/ltx2", hours=4, parents=[_sha(), _sha()], total_files=30
    )
    c_pending = make_commit("[Diffusion] Add diffusion time embedding to jit kernel (#17658)", hours=5)
    c_heur = make_commit("[Docker] Install cudnn==9.16 for cuda 13 image (#17668)", hours=6)
    c_low = make_commit("[NPU] torch_npu profiler tensorboard path type fix (#17545)", hours=7, author="TMC")

    failed = Analysis(
        sha=c_fa4.sha,
        status=AnalysisStatus.FAILED,
        scored=Importance.HIGH,
        reasons=["touches 120 kernel files", "removes a build target"],
        attempts=3,
        error=FAILED_ERROR,
    )
    pending = Analysis(
        sha=c_pending.sha, status=AnalysisStatus.PENDING, scored=Importance.MEDIUM, reasons=["new kernel"]
    )
    heuristic = Analysis(
        sha=c_heur.sha,
        status=AnalysisStatus.HEURISTIC,
        scored=Importance.LOW,
        card=Card(change_type="build", importance=Importance.LOW, summary=["Dockerfile changed"]),
        reasons=["only build files changed"],
    )
    low_card = full_card(
        Importance.LOW,
        change_type="代码重构",
        summary=["将 profiler 的路径参数从 `Path` 改为 `str`。"],
        risks=["LOW-CARD-RISK"],
    )
    quiet_insight = Insight()  # every dimension "none": the table must go
    return RepoDigest(
        repo=SGLANG,
        url=f"https://github.com/{SGLANG}",
        branch="main",
        head=c_flash.sha,
        entries=[
            done(c_flash, full_card(Importance.HIGH)),
            DigestEntry(c_fa4, failed),
            done(
                c_kimi, full_card(Importance.MEDIUM, insight=quiet_insight, conclusion="总体来说重构合理。")
            ),
            done(c_nasty, full_card(Importance.MEDIUM, summary=["line one\nline two | with pipe"])),
            done(c_merge, full_card(Importance.MEDIUM, change_type="merge")),
            DigestEntry(c_pending, pending),
            DigestEntry(c_heur, heuristic),
            done(c_low, low_card),
        ],
    )


def make_digest(language: str = "zh", *, extra_repos: bool = True) -> Digest:
    """One sglang day, plus an empty repository and one that could not be read."""
    repos = [sglang_repo()]
    if extra_repos:
        repos += [
            RepoDigest(repo="vllm-project/vllm", url="https://github.com/vllm-project/vllm"),
            RepoDigest(repo="acme/private", error="404 Not Found: https://api.github.com/repos/acme/private"),
        ]
    return Digest(
        date="2026-01-24",
        timezone="Asia/Shanghai",
        language=language,
        repos=repos,
        usage=Usage(llm_calls=12, prompt_tokens=48_000, completion_tokens=6_500, cost_usd=0.0123),
        alerts=["LLM endpoint returned 429 three times; analyses will be retried"],
    )


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


def test_zh_sections_follow_the_reference_sequence():
    reference = REFERENCE.read_text(encoding="utf-8")
    ours = render_markdown(make_digest("zh", extra_repos=False))
    assert section_kinds(ours) == section_kinds(reference)
    assert section_headings(ours) == section_headings(reference)


def section_headings(md: str) -> set[tuple[int, str]]:
    """Every heading but the card titles, with counts replaced by n."""
    return {
        (lv, re.sub(r"\(\d+\)", "(n)", text)) for lv, text in headings(md) if lv != 3 or text.startswith("📊")
    }


def test_zh_labels_and_stats_line_match_the_reference(md: str):
    reference = REFERENCE.read_text(encoding="utf-8")
    for label in [
        "**🎯 变更类型**：",
        "**⚡ 重要程度**：🔴高",
        "**📋 变更摘要**",
        "**🎯 影响范围**",
        "**🔍 技术洞察**",
        "| 维度 | 影响说明 |",
        "**⚠️ 潜在风险**",
        "**💡 关注建议**",
        "**📋 摘要**：",
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
    assert re.search(r"^1\. 依赖缺失", chunk, re.M) and re.search(r"^2\. ep_size", chunk, re.M)
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
    assert "**📋 摘要**：将 profiler 的路径参数" in chunk
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
    assert re.search(r"^### Fix a \| b &lt;!channel&gt; .*cleanup$", md, re.M)
    chunk = chunk_for(md, digest.repos[0].entries[3].commit)
    assert "- line one line two | with pipe" in chunk


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


# ---- terminal text ----------------------------------------------------------------------------


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


# ---- JSON -------------------------------------------------------------------------------------


def test_json_shape_and_types(digest: Digest):
    data = json.loads(json.dumps(render_json(digest)))
    assert {"date", "timezone", "language", "repos", "usage", "alerts"} <= data.keys()
    assert (data["date"], data["timezone"], data["language"]) == ("2026-01-24", "Asia/Shanghai", "zh")
    assert data["usage"] == {
        "llm_calls": 12,
        "prompt_tokens": 48000,
        "completion_tokens": 6500,
        "cost_usd": 0.0123,
    }
    assert data["alerts"] == digest.alerts
    repo = data["repos"][0]
    assert {"repo", "branch", "head", "error", "stats", "commits"} <= repo.keys()
    assert repo["stats"] == {"total": 8, "high": 2, "medium": 4, "low": 2, "failed": 1, "pending": 1}
    assert [c["sha"] for c in repo["commits"]] == [e.commit.sha for e in digest.repos[0].entries]
    keys = {
        "sha",
        "short_sha",
        "title",
        "author",
        "committed_at",
        "importance",
        "scored_importance",
        "analysis_status",
        "change_type",
        "summary",
        "pr",
        "url",
        "files",
        "additions",
        "deletions",
        "is_merge",
        "card",
        "reasons",
    }
    for c in repo["commits"]:
        assert keys <= c.keys()
        assert datetime.fromisoformat(c["committed_at"]).utcoffset() == timedelta(hours=8)
        assert isinstance(c["summary"], str) and c["summary"]
        assert c["card"] is None or isinstance(c["card"], dict)
        assert isinstance(c["reasons"], list) and isinstance(c["is_merge"], bool)
        assert c["pr"] is None or isinstance(c["pr"], int)
    flash, fa4, merge, pending = (
        repo["commits"][0],
        repo["commits"][1],
        repo["commits"][4],
        repo["commits"][5],
    )
    assert flash["committed_at"] == "2026-01-24T22:00:00+08:00"
    assert (flash["files"], flash["additions"], flash["deletions"], flash["pr"]) == (2, 652, 12, 14668)
    assert flash["summary"].startswith("为专家并行新增") and flash["summary"].count("\n") == 3
    assert flash["card"]["insight"]["security"] == "none"
    assert (fa4["analysis_status"], fa4["importance"], fa4["card"]) == ("failed", "high", None)
    assert fa4["summary"] == fa4["title"] and fa4["reasons"][0] == "touches 120 kernel files"
    assert (merge["is_merge"], merge["files"], merge["additions"]) == (True, 30, None)
    assert pending["analysis_status"] == "pending" and pending["scored_importance"] == "medium"
    empty, broken = data["repos"][1], data["repos"][2]
    assert empty["commits"] == [] and empty["stats"]["total"] == 0 and empty["error"] is None
    assert broken["error"].startswith("404 Not Found")


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


def test_text_wraps_a_long_repository_error_instead_of_cutting_it():
    error = "cannot reach GitHub at ghe.example.com (ConnectError: All connection attempts failed) after 4 attempts"
    text = render_text(Digest("2026-01-24", "UTC", "en", [RepoDigest(repo="acme/engine", error=error)]))
    assert "after 4 attempts" in text and "…" not in text
    assert all(columns(line) <= 100 for line in text.splitlines())
