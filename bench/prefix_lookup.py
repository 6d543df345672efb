"""SHA-prefix lookup in a database of N commits: the index range scan against a full scan, side by side.

Usage: python bench/prefix_lookup.py [--commits 1000000] [--db PATH]
"""

from __future__ import annotations

import argparse
import hashlib
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analysis.store.commits import commit_keys_by_prefix  # noqa: E402
from storage.db import open_db  # noqa: E402


def fill(db, n: int) -> list[str]:
    """Insert n synthetic commits across 20 repositories; return their SHAs."""
    shas = [hashlib.sha1(str(i).encode()).hexdigest() for i in range(n)]
    rows = (
        {
            "repo": f"org/repo{i % 20}",
            "sha": sha,
            "title": f"Commit number {i}",
            "committed_at": "2026-01-24T10:00:00+00:00",
            "detailed": 1,
        }
        for i, sha in enumerate(shas)
    )
    with db.conn:
        db["commits"].insert_all(rows, batch_size=10000)
    return shas


def timed(fn, probes: list[str]) -> list[float]:
    """Per-call wall times in microseconds."""
    out = []
    for p in probes:
        t = time.perf_counter()
        fn(p)
        out.append((time.perf_counter() - t) * 1e6)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--commits", type=int, default=1_000_000)
    ap.add_argument("--db", help="reuse or create the database here (default: a temporary file)")
    ap.add_argument("--probes", type=int, default=200)
    args = ap.parse_args()
    path = Path(args.db) if args.db else Path(tempfile.mkdtemp()) / "bench.db"
    db = open_db(path)
    count = db.execute("select count(*) from commits").fetchone()[0]
    t = time.perf_counter()
    if count < args.commits:
        fill(db, args.commits)
    build = time.perf_counter() - t
    shas = [r[0] for r in db.execute("select sha from commits order by random() limit ?", [args.probes])]
    rng = random.Random(1)
    probes = [s[: rng.choice([7, 8, 10, 12])] for s in shas]
    indexed = timed(lambda p: commit_keys_by_prefix(db, p), probes)
    scan_probes = probes[: max(5, args.probes // 20)]
    scan = timed(
        lambda p: db.execute("select * from commits where substr(sha, 1, ?) = ?", [len(p), p]).fetchall(),
        scan_probes,
    )
    total = db.execute("select count(*) from commits").fetchone()[0]
    p50, p99 = statistics.median(indexed), statistics.quantiles(indexed, n=100)[98]
    s50 = statistics.median(scan)
    print(f"commits in database        {total:,} (built in {build:.1f} s)")
    print(f"prefix lookup (index)      p50 {p50:,.0f} us   p99 {p99:,.0f} us   over {len(indexed)} prefixes")
    print(f"full scan (no index)       p50 {s50:,.0f} us   over {len(scan)} prefixes")
    print(f"ratio scan / index (p50)   {s50 / p50:,.0f}x")


if __name__ == "__main__":
    main()
