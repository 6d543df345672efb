"""Interface changes on a busy day of a real clone: cold heuristic runs with them on and off, then a warm run.

Every run is a process of its own (nothing cached in memory from an earlier one); the pair is run several times, the
order of the two alternating, and the script prints each round's wall times and the medians: the cold ratio (goal: at
most 1.3) and the warm difference (goal: none).
Usage: python bench/interfaces.py --repo /path/to/clone --date 2026-08-11 [--tz UTC] [--rounds 5]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def run_once(db_path: str, repo: str, tz: str, day: str, on: bool) -> None:
    """One run of the day (in a process of its own): prints its wall time, commits and interface changes as JSON."""
    from analysis.config import PipelineConfig, SourceConfig
    from analysis.pipeline import run_digest
    from storage import db as store

    cfg = PipelineConfig(repos=[repo], timezone=tz, source=SourceConfig(git_fetch=False), interfaces=on)
    db = store.open_db(Path(db_path))
    started = time.perf_counter()
    digest = asyncio.run(run_digest(db, cfg, day=dt.date.fromisoformat(day)))
    wall = time.perf_counter() - started
    entries = digest.repos[0].entries
    changes = sum(len(e.interfaces.changes) for e in entries if e.interfaces)
    print(json.dumps({"wall": wall, "commits": len(entries), "changes": changes}))


def _run(db_path: Path, args: argparse.Namespace, on: bool) -> dict:
    code = "import sys; sys.path.insert(0, sys.argv[1]); from bench.interfaces import run_once; run_once(*sys.argv[2:6], sys.argv[6] == 'on')"
    argv = [
        sys.executable,
        "-c",
        code,
        str(ROOT),
        str(db_path),
        args.repo,
        args.tz,
        args.date,
        "on" if on else "off",
    ]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=600, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repo", required=True, help="a local clone (read only: it is not fetched)")
    ap.add_argument("--date", required=True, help="the day, YYYY-MM-DD")
    ap.add_argument("--tz", default="UTC")
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    ratios, warm_diffs = [], []
    print(
        f"{'round':<7}{'commits':>8}{'changes':>9}{'off cold':>10}{'on cold':>9}{'ratio':>7}{'off warm':>10}{'on warm':>9}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        _run(Path(tmp) / "disk.db", args, True)  # the clone's files into the disk cache, uncounted
        for i in range(args.rounds):
            runs = {}
            for on in (bool(i % 2), not i % 2):  # the order alternates
                db_path = Path(tmp) / f"{i}-{on}.db"
                runs[on] = (_run(db_path, args, on), _run(db_path, args, on))
            (off_cold, off_warm), (on_cold, on_warm) = runs[False], runs[True]
            ratios.append(on_cold["wall"] / off_cold["wall"])
            warm_diffs.append(on_warm["wall"] - off_warm["wall"])
            print(
                f"{i + 1:<7}{on_cold['commits']:>8}{on_cold['changes']:>9}{off_cold['wall']:>10.2f}"
                f"{on_cold['wall']:>9.2f}{ratios[-1]:>7.2f}{off_warm['wall']:>10.2f}{on_warm['wall']:>9.2f}"
            )
    print(f"cold ratio on/off, median of {args.rounds}: {statistics.median(ratios):.2f} (goal <= 1.30)")
    print(f"warm difference on-off, median: {statistics.median(warm_diffs):+.2f} s (goal +0)")


if __name__ == "__main__":
    main()
