"""Interface changes on a busy day of a real clone: cold heuristic runs with them on and off, then a warm run.

Prints wall time of each run, the cold ratio (goal: at most 1.3) and the warm difference (goal: none).
Usage: python bench/interfaces.py --repo /path/to/clone --date 2026-08-11 [--tz UTC]
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
from analysis.pipeline import run_digest  # noqa: E402
from storage import db as store  # noqa: E402


async def _run(db_path: Path, cfg: PipelineConfig, day: dt.date) -> tuple[float, int, int]:
    db = store.open_db(db_path)
    started = time.perf_counter()
    digest = await run_digest(db, cfg, day=day)
    wall = time.perf_counter() - started
    entries = digest.repos[0].entries
    return wall, len(entries), sum(len(e.interfaces.changes) for e in entries if e.interfaces)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repo", required=True, help="a local clone (read only: it is not fetched)")
    ap.add_argument("--date", required=True, type=dt.date.fromisoformat)
    ap.add_argument("--tz", default="UTC")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        rows = []
        for label, on in (("off", False), ("on", True)):
            cfg = PipelineConfig(
                repos=[args.repo], timezone=args.tz, source=SourceConfig(git_fetch=False), interfaces=on
            )
            db_path = Path(tmp) / f"{label}.db"
            cold = asyncio.run(_run(db_path, cfg, args.date))
            warm = asyncio.run(_run(db_path, cfg, args.date))
            rows.append((label, cold, warm))
    print(f"{'interfaces':<11}{'commits':>8}{'changes':>9}{'cold s':>9}{'warm s':>9}")
    for label, cold, warm in rows:
        print(f"{label:<11}{cold[1]:>8}{cold[2]:>9}{cold[0]:>9.2f}{warm[0]:>9.2f}")
    (_, off_cold, off_warm), (_, on_cold, on_warm) = rows
    print(f"cold ratio on/off: {on_cold[0] / off_cold[0]:.2f} (goal <= 1.30)")
    print(f"warm difference on-off: {on_warm[0] - off_warm[0]:+.2f} s (goal +0)")


if __name__ == "__main__":
    main()
