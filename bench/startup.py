"""Start-up time of whole processes, side by side: `commit-digest --version` and `--help` against a baseline.

The baseline is `llm --version` (simonw/llm) when an `llm` executable is on PATH or given with --llm PATH,
otherwise `python -c pass`. Each command runs --runs times (5 by default, after one warm-up); medians and
ratios to the baseline are printed.

Usage: python bench/startup.py [--runs 5] [--llm PATH] [--digest PATH]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path


def _default_digest() -> str:
    """The commit-digest script next to this interpreter, else the one on PATH."""
    here = Path(sys.executable).with_name("commit-digest")
    return str(here) if here.exists() else (shutil.which("commit-digest") or "commit-digest")


def time_command(argv: list[str], runs: int) -> list[float]:
    """Wall seconds of `runs` runs of argv as a whole process (one untimed warm-up first)."""
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "0"}
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, timeout=120, check=True)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(
            argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, timeout=120, check=True
        )
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    """Time the commands and print a table of medians and ratios to the baseline."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--llm", help="path of an `llm` executable for the baseline (default: from PATH)")
    parser.add_argument("--digest", default=_default_digest(), help="path of the commit-digest executable")
    args = parser.parse_args()

    llm = args.llm or shutil.which("llm")
    if llm:
        baseline_name, baseline = "llm --version", [llm, "--version"]
    else:
        baseline_name, baseline = "python -c pass", [sys.executable, "-c", "pass"]
    commands = [
        (baseline_name, baseline),
        ("commit-digest --version", [args.digest, "--version"]),
        ("commit-digest --help", [args.digest, "--help"]),
        ("commit-digest run --help", [args.digest, "run", "--help"]),
    ]
    medians: dict[str, float] = {}
    print(f"{'command':<28} {'median s':>9} {'min s':>7} {'max s':>7} {'x baseline':>11}")
    for name, argv in commands:
        times = time_command(argv, args.runs)
        medians[name] = statistics.median(times)
        ratio = medians[name] / medians[baseline_name]
        print(f"{name:<28} {medians[name]:>9.3f} {min(times):>7.3f} {max(times):>7.3f} {ratio:>10.2f}x")


if __name__ == "__main__":
    main()
