"""The day's overview in a run's LLM spend: calls per repository-day and share of the run's tokens.

Builds repositories with a normal day and a busy day on the loopback GitHub server, runs the digest of
each day against the loopback chat server (cold, then warm), and prints per repository-day the commits,
card calls, overview calls (one, plus parts on a huge day), overview tokens and their share of the run's
tokens, and the overview calls of the warm re-run (must be 0). A smaller --budget forces a busy day to be
read in parts and merged.
Usage: python bench/overview.py [--repos 2] [--normal 20] [--busy 60] [--budget 12000]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analysis.config import LLMConfig, PipelineConfig, SourceConfig  # noqa: E402
from analysis.pipeline import day_window, run_digest  # noqa: E402
from storage import db as store  # noqa: E402
from tests.fakes.chat import OVERVIEW_MARKERS, ChatServer  # noqa: E402
from tests.fakes.github import FakeGitHub, make_files  # noqa: E402

DAYS = (dt.date(2026, 1, 23), dt.date(2026, 1, 24))
AREAS = ("[NPU]", "[Scheduler]", "fix(kernel):", "feat(api):", "Refactor", "[Docs]")


def _build(gh: FakeGitHub, repos: list[str], sizes: tuple[int, ...]) -> None:
    for repo in repos:
        gh.add_repo(repo)
        for day, n in zip(DAYS, sizes, strict=True):
            start, _ = day_window(day, "UTC")
            step = dt.timedelta(seconds=86000 // n)
            for i in range(n):
                area = AREAS[i % len(AREAS)]
                gh.add_commit(
                    repo,
                    f"{area} change {i} of {day} (#{1000 + i})",
                    committed_at=start + i * step,
                    files=make_files(
                        1 + i % 9, prefix=f"python/{area.strip('[]:').lower()}/m{i}_", lines=4 + i % 30
                    ),
                )


def _is_overview(req) -> bool:
    return any(m in req.user_text for m in OVERVIEW_MARKERS)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repos", type=int, default=2)
    ap.add_argument("--normal", type=int, default=20, help="commits on the normal day")
    ap.add_argument("--busy", type=int, default=60, help="commits on the busy day")
    ap.add_argument("--budget", type=int, default=12000, help="prompt budget in estimated tokens")
    args = ap.parse_args()
    repos = [f"acme/engine{i}" for i in range(args.repos)]
    rows, total = [], {"tokens": 0, "overview": 0, "calls": 0, "ov_calls": 0, "warm": 0}
    with FakeGitHub() as gh, ChatServer() as chat:
        _build(gh, repos, (args.normal, args.busy))
        db = store.open_db(Path(tempfile.mkdtemp()) / "bench.db")
        llm = LLMConfig(
            api_key="sk-bench", model="bench-model", base_url=chat.base_url, prompt_tokens=args.budget
        )
        for repo in repos:
            cfg = PipelineConfig(repos=[repo], source=SourceConfig(github_api_url=gh.url), llm=llm)
            for day in DAYS:
                first = len(chat.requests)
                digest = asyncio.run(run_digest(db, cfg, day=day))
                reqs = chat.requests[first:]
                ov = [r for r in reqs if _is_overview(r)]
                tokens = sum(r.prompt_tokens + r.completion_tokens for r in reqs)
                ov_tokens = sum(r.prompt_tokens + r.completion_tokens for r in ov)
                warm_first = len(chat.requests)
                asyncio.run(run_digest(db, cfg, day=day))
                warm = sum(_is_overview(r) for r in chat.requests[warm_first:])
                o = digest.repos[0].overview
                rows.append(
                    (repo, day, len(digest.repos[0].entries), len(reqs) - len(ov), len(ov), ov_tokens, tokens,
                     max((r.prompt_tokens for r in ov), default=0), o.source if o else "-", warm)
                )  # fmt: skip
                total["tokens"] += tokens
                total["overview"] += ov_tokens
                total["calls"] += len(reqs)
                total["ov_calls"] += len(ov)
                total["warm"] += warm
    print(f"prompt budget {args.budget} estimated tokens")
    head = f"{'repository':<15}{'day':>11}{'commits':>8}{'card calls':>11}{'overview calls':>15}"
    print(
        head + f"{'overview tok':>13}{'run tok':>9}{'share':>7}{'largest':>8}{'source':>10}{'warm calls':>11}"
    )
    for repo, day, n, cards, ovc, ovt, tok, largest, source, warm in rows:
        print(
            f"{repo:<15}{day.isoformat():>11}{n:>8}{cards:>11}{ovc:>15}{ovt:>13}{tok:>9}"
            f"{ovt / tok:>7.1%}{largest:>8}{source:>10}{warm:>11}"
        )
    days = len(rows)
    print(
        f"overview calls per repository-day {total['ov_calls'] / days:.2f}; "
        f"overview share of the run's tokens {total['overview'] / total['tokens']:.1%} "
        f"({total['overview']} of {total['tokens']}); overview calls on warm re-runs {total['warm']}"
    )


if __name__ == "__main__":
    main()
