"""A realistic sglang day (2026-01-24) with every kind of card, for the report renderers' tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

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
