"""One busy day (default 60 commits) through the pipeline, cold then warm, against the loopback GitHub server.

Prints commits, HTTP requests, commit-detail fetches and wall time for both runs, side by side.
Usage: python bench/busy_day.py [--commits 60] [--large 3]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analysis.config import PipelineConfig, SourceConfig  # noqa: E402
from analysis.pipeline import day_window, run_digest  # noqa: E402
from storage import db as store  # noqa: E402
from tests.fakes.github import FakeGitHub, make_files  # noqa: E402

DAY = dt.date(2026, 1, 24)
DETAIL = r"^/repos/[^/]+/[^/]+/commits/[0-9a-f]{40}$"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--commits", type=int, default=60)
    ap.add_argument("--large", type=int, default=3, help="how many of them touch 1,200 files")
    args = ap.parse_args()
    with FakeGitHub() as gh:
        gh.add_repo("acme/engine")
        start, _ = day_window(DAY, "UTC")
        step = dt.timedelta(seconds=86000 // args.commits)
        for i in range(args.commits):
            n = 1200 if i < args.large else 1 + i % 12
            gh.add_commit(
                "acme/engine",
                f"[Feature] change {i} (#{1000 + i})",
                committed_at=start + i * step,
                files=make_files(n, prefix=f"python/pkg/m{i}_"),
            )
        db = store.open_db(Path(tempfile.mkdtemp()) / "bench.db")
        cfg = PipelineConfig(repos=["acme/engine"], source=SourceConfig(github_api_url=gh.url))
        rows = []
        for label in ("cold", "warm"):
            before, details = len(gh.log), len(gh.requests_to(DETAIL))
            t = time.perf_counter()
            digest = asyncio.run(run_digest(db, cfg, day=DAY))
            wall = time.perf_counter() - t
            rows.append(
                (
                    label,
                    digest.repos[0].stats()["total"],
                    len(gh.log) - before,
                    len(gh.requests_to(DETAIL)) - details,
                    wall,
                )
            )
    print(f"{'run':<6}{'commits':>9}{'requests':>10}{'details':>9}{'wall s':>9}")
    for label, commits, requests, details, wall in rows:
        print(f"{label:<6}{commits:>9}{requests:>10}{details:>9}{wall:>9.2f}")
    print(f"warm/cold requests {rows[1][2] / rows[0][2]:.3f}   wall {rows[1][4] / rows[0][4]:.3f}")


if __name__ == "__main__":
    main()
