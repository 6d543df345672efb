"""One busy day through the pipeline against a slow chat-completions endpoint: concurrent vs one at a time.

Builds a day of commits (a few touching thousands of files) on the loopback GitHub server, then runs the
digest against the loopback chat server (many parallel slots, a fixed added latency) three ways: at first
contact (a fresh database: the endpoint's parallelism is unknown), remembered (another fresh database that
keeps only what the first run learned about the endpoint), and with concurrency 1 so one request runs at a
time. Prints wall time of each and their ratio to one at a time, LLM calls, the largest prompt in
estimated tokens against the budget, and the LLM calls of a warm re-run (must be 0).
With --repo (a local clone, read as it is) and --date, the day is that clone's real day instead, and the
first-contact wall is also set beside a sequential design's wall given with --versus (seconds, measured on the
same day against the same server).
Usage: python bench/llm_concurrency.py [--commits 32] [--large 3] [--latency 2.0] [--concurrency 32] [--slots 64]
                                       [--repo PATH --date YYYY-MM-DD [--versus SECONDS]]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

import sqlite_utils

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analysis.config import LLMConfig, PipelineConfig, SourceConfig  # noqa: E402
from analysis.llm.memory import endpoint_key  # noqa: E402
from analysis.models import AnalysisStatus  # noqa: E402
from analysis.pipeline import day_window, run_digest  # noqa: E402
from analysis.store import llm_endpoints  # noqa: E402
from storage import db as store  # noqa: E402
from tests.fakes.chat import ChatServer  # noqa: E402
from tests.fakes.github import FakeGitHub, make_files  # noqa: E402

DAY = dt.date(2026, 1, 24)


def _build_day(gh: FakeGitHub, commits: int, large: int) -> None:
    gh.add_repo("acme/engine")
    start, _ = day_window(DAY, "UTC")
    step = dt.timedelta(seconds=86000 // commits)
    for i in range(commits):
        if i < large:
            files = make_files(2500, prefix=f"python/pkg{i}/sub/m", lines=12)
        else:
            files = make_files(1 + i % 12, prefix=f"python/pkg/m{i}_", lines=4 + i % 40)
        gh.add_commit(
            "acme/engine", f"[Feature] change {i} (#{1000 + i})", committed_at=start + i * step, files=files
        )


def _run(
    source: tuple[list[str], SourceConfig, dt.date],
    chat: ChatServer,
    concurrency: int,
    budget: int,
    remember: sqlite_utils.Database | None = None,
) -> dict:
    """One digest of the day on a fresh database (keeping `remember`'s endpoint memory), then a warm re-run."""
    db = store.open_db(Path(tempfile.mkdtemp()) / "bench.db")
    for row in remember["llm_endpoints"].rows if remember is not None else []:
        db["llm_endpoints"].insert(row)
    llm = LLMConfig(api_key="sk-bench", model="bench-model", base_url=chat.base_url, prompt_tokens=budget)
    llm.concurrency = concurrency
    repos, source_cfg, day = source
    cfg = PipelineConfig(repos=repos, source=source_cfg, llm=llm)
    first = len(chat.requests)
    t = time.perf_counter()
    digest = asyncio.run(run_digest(db, cfg, day=day))
    wall = time.perf_counter() - t
    requests = chat.requests[first:]
    done = sum(e.analysis.status is AnalysisStatus.DONE for r in digest.repos for e in r.entries)
    warm_first = len(chat.requests)
    warm = asyncio.run(run_digest(db, cfg, day=day))
    return {
        "commits": sum(len(r.entries) for r in digest.repos),
        "done": done,
        "wall": wall,
        "calls": digest.usage.llm_calls,
        "requests": len(requests),
        "largest": max((r.prompt_tokens for r in requests), default=0),
        "peak": chat.peak,
        "warm_calls": warm.usage.llm_calls + len(chat.requests) - warm_first,
        "probes": len(chat.probes),
        "endpoint": endpoint_key(chat.base_url),
        "db": db,
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--commits", type=int, default=32)
    ap.add_argument("--large", type=int, default=3, help="how many commits touch 2,500 files")
    ap.add_argument("--latency", type=float, default=2.0, help="seconds the chat server adds to each answer")
    ap.add_argument("--concurrency", type=int, default=LLMConfig(api_key="").concurrency)
    ap.add_argument("--slots", type=int, default=64, help="requests the chat server computes at once")
    ap.add_argument("--budget", type=int, default=12000, help="prompt budget in estimated tokens")
    ap.add_argument("--repo", help="a local clone whose real day is run instead of the built one")
    ap.add_argument("--date", type=dt.date.fromisoformat, help="the clone's day (with --repo)")
    ap.add_argument("--versus", type=float, help="a sequential design's wall on the same day, in seconds")
    args = ap.parse_args()
    rows = []
    with FakeGitHub() as gh:
        if args.repo:
            source = ([args.repo], SourceConfig(git_fetch=False), args.date or DAY)
        else:
            _build_day(gh, args.commits, args.large)
            source = (["acme/engine"], SourceConfig(github_api_url=gh.url), DAY)
        with ChatServer(latency=args.latency, slots=args.slots) as chat:
            first = _run(source, chat, args.concurrency, args.budget)
            rows.append(("first-contact", first))
            chat.peak, chat.probes[:] = 0, []
            rows.append(("remembered", _run(source, chat, args.concurrency, args.budget, first["db"])))
        with ChatServer(latency=args.latency, slots=args.slots) as chat:
            rows.append(("one-at-a-time", _run(source, chat, 1, args.budget)))
    print(f"latency {args.latency:.1f} s per answer, prompt budget {args.budget} estimated tokens")
    print(
        f"{'run':<15}{'commits':>8}{'done':>6}{'calls':>7}{'probes':>7}{'peak':>6}{'largest':>9}"
        f"{'wall s':>9}{'warm calls':>12}"
    )
    for label, r in rows:
        print(
            f"{label:<15}{r['commits']:>8}{r['done']:>6}{r['calls']:>7}{r['probes']:>7}{r['peak']:>6}"
            f"{r['largest']:>9}{r['wall']:>9.2f}{r['warm_calls']:>12}"
        )
    slow = rows[-1][1]
    learned = llm_endpoints.learned_about(rows[0][1]["db"], rows[0][1]["endpoint"], "bench-model")
    print(f"level learned at first contact: {learned.concurrency if learned else None}")
    print(
        f"one-at-a-time / first-contact: {slow['wall'] / rows[0][1]['wall']:.2f}x   "
        f"one-at-a-time / remembered: {slow['wall'] / rows[1][1]['wall']:.2f}x"
    )
    print(f"largest prompt {max(r['largest'] for _, r in rows)} <= budget {args.budget}")
    if args.versus:
        print(
            f"sequential design ({args.versus:.1f} s) / first-contact: {args.versus / rows[0][1]['wall']:.2f}x"
        )


if __name__ == "__main__":
    main()
