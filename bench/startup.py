"""Start-up time of whole processes, side by side: `commit-digest --version` and `--help` against a baseline.

The baseline is `llm --version` (simonw/llm) when an `llm` executable is on PATH or given with --llm PATH,
otherwise `python -c pass`. Each command runs --runs times (5 by default, after one warm-up); medians and
ratios to the baseline are printed, with the median CPU seconds (user + system, children included), which a busy
machine inflates less than wall time. Then a warm re-run of a day: `commit-digest run --repo <a local clone>
--date <day>` again with the same database and no key (0 requests, 0 LLM calls).

Usage: python bench/startup.py [--runs 5] [--llm PATH] [--digest PATH]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _default_digest() -> str:
    """The commit-digest script next to this interpreter, else the one on PATH."""
    here = Path(sys.executable).with_name("commit-digest")
    return str(here) if here.exists() else (shutil.which("commit-digest") or "commit-digest")


DAY = "2026-01-24"


def _cpu() -> float:
    """CPU seconds used so far by finished child processes."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def time_command(
    argv: list[str], runs: int, env: dict[str, str] | None = None
) -> tuple[list[float], list[float]]:
    """Wall and CPU seconds of `runs` runs of argv as a whole process (one untimed warm-up first)."""
    env = env or dict(os.environ)
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, timeout=120, check=True)
    times, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), _cpu()
        subprocess.run(
            argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, timeout=120, check=True
        )
        times.append(time.perf_counter() - start)
        cpu.append(_cpu() - start_cpu)
    return times, cpu


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
    print(f"{'command':<28} {'median s':>9} {'min s':>7} {'max s':>7} {'cpu s':>7} {'x baseline':>11}")
    for name, argv in commands:
        times, cpu = time_command(argv, args.runs)
        medians[name] = statistics.median(times)
        ratio = medians[name] / medians[baseline_name]
        print(
            f"{name:<28} {medians[name]:>9.3f} {min(times):>7.3f} {max(times):>7.3f}"
            f" {statistics.median(cpu):>7.3f} {ratio:>10.2f}x"
        )
    with tempfile.TemporaryDirectory() as tmp:
        clone = make_clone(Path(tmp) / "upstream")
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DIGEST_", "OPENAI_", "SLACK_"))}
        env["DIGEST_DB_PATH"] = str(Path(tmp) / "digest.db")
        times, cpu = time_command([args.digest, "run", "--repo", str(clone), "--date", DAY], args.runs, env)
    print(
        f"{'warm re-run of a day':<28} {statistics.median(times):>9.3f} {min(times):>7.3f} {max(times):>7.3f}"
        f" {statistics.median(cpu):>7.3f}"
    )


def make_clone(path: Path) -> Path:
    """A local repository with six commits on DAY."""
    git = ["git", "-C", str(path), "-c", "user.name=Dev", "-c", "user.email=dev@example.com"]
    subprocess.run(["git", "init", "-q", str(path)], check=True, timeout=30)
    for i in range(6):
        (path / f"f{i}.py").write_text(f"x = {i}\n")
        stamp = f"{DAY}T1{i}:00:00+00:00"
        dated = {**os.environ, "GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp}
        subprocess.run([*git, "add", "."], check=True, timeout=30)
        subprocess.run([*git, "commit", "-qm", f"Add f{i}"], check=True, timeout=30, env=dated)
    return path


if __name__ == "__main__":
    main()
