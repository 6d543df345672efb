"""Build digests of made-up commits for rendering and posting tests."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import sqlite_utils

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
from analysis.store.analyses import save_analysis
from analysis.store.commits import save_commit

REPO = "sgl-project/sglang"
REPO_URL = f"https://github.com/{REPO}"
SHA = "3992a02" + "1" * 33  # a stored commit's SHA


def sha_of(n: int, repo: str = REPO) -> str:
    """A stable 40-hex SHA for commit number `n`."""
    return hashlib.sha1(f"{repo}:{n}".encode()).hexdigest()


def entry(
    n: int,
    importance: Importance = Importance.HIGH,
    *,
    repo: str = REPO,
    title: str | None = None,
    author: str = "Ada Lovelace",
    summary: list[str] | None = None,
    risks: list[str] | None = None,
    status: AnalysisStatus = AnalysisStatus.DONE,
) -> DigestEntry:
    """One commit with a complete card (or none when the status is not done)."""
    sha = sha_of(n, repo)
    commit = Commit(
        repo=repo,
        sha=sha,
        message=(title or f"Improve the MoE dispatcher, step {n} (#{17000 + n})") + "\n\nDetails.",
        author_name=author,
        committed_at=datetime(2026, 1, 24, 9, n % 60, tzinfo=UTC),
        url=f"https://github.com/{repo}/commit/{sha}",
    )
    card = Card(
        change_type="feature",
        importance=importance,
        importance_reason="touches the serving hot path",
        summary=summary
        if summary is not None
        else [f"Adds dispatcher path {n}.", "Keeps the old path.", "Adds tests."],
        impact_scope=["python/sglang/srt/layers/moe/ep_moe.py"],
        insight=Insight(architecture="A new dispatcher interface.", performance="Fewer copies."),
        risks=risks if risks is not None else ["Untested on older GPUs."],
        recommendations=["Benchmark with DeepEP before upgrading."],
        conclusion="Worth reading if you run MoE models.",
    )
    done = status == AnalysisStatus.DONE
    analysis = Analysis(
        sha=sha,
        status=status,
        scored=importance,
        card=card if done else None,
        reasons=["large change in the serving path"],
        prompt_tokens=1000 if done else 0,
        completion_tokens=300 if done else 0,
        llm_calls=1 if done else 0,
    )
    return DigestEntry(commit=commit, analysis=analysis)


def digest(
    high: int = 2, medium: int = 3, low: int = 2, *, date: str = "2026-01-24", repo: str = REPO
) -> Digest:
    """A one-repository digest with this many commits of each importance."""
    levels = [Importance.HIGH] * high + [Importance.MEDIUM] * medium + [Importance.LOW] * low
    entries = [entry(i, lvl, repo=repo) for i, lvl in enumerate(levels)]
    usage = Usage(
        llm_calls=len(entries),
        prompt_tokens=1000 * len(entries),
        completion_tokens=300 * len(entries),
        cost_usd=0.0123,
    )
    return Digest(
        date=date,
        timezone="UTC",
        repos=[RepoDigest(repo=repo, entries=entries, url=f"https://github.com/{repo}", branch="main")],
        usage=usage,
    )


def seed_commit(
    db: sqlite_utils.Database,
    sha: str = SHA,
    title: str = "Move fa4 from sgl-kernel to jit kernel (#17353)",
    *,
    repo: str = REPO,
    importance: Importance = Importance.HIGH,
    message: str | None = None,
) -> DigestEntry:
    """Store a commit and its finished analysis the way the pipeline does."""
    commit = Commit(
        repo=repo,
        sha=sha,
        message=message or title,
        author_name="Xiaoyu Zhang",
        committed_at=datetime(2026, 1, 24, 15, 25, tzinfo=UTC),
        url=f"https://github.com/{repo}/commit/{sha}",
        files=[FileChange("python/sglang/jit_kernel/fa4.py", "added", 120, 0)],
    )
    save_commit(db, commit, detailed=True)
    card = Card(
        change_type="refactor",
        importance=importance,
        summary=["Moves the FA4 kernel into the JIT kernel package.", "Drops the sgl-kernel build step."],
        risks=["Kernels compile on first use, so the first request is slower."],
    )
    analysis = Analysis(sha, AnalysisStatus.DONE, importance, card=card, model="m")
    save_analysis(db, repo, analysis)
    return DigestEntry(commit, analysis)
