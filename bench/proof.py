"""Run the end-to-end proof (faults, crashes, bad input, secrets, load) and print its figures as one table.

Usage: python bench/proof.py [--ci]   (--ci: the small counts the test suite uses)
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_suite(full: bool) -> tuple[int, dict[str, str], float]:
    """Run `pytest -m e2e tests/e2e` and return its exit code, the figures it wrote and its wall time."""
    with tempfile.TemporaryDirectory() as tmp:
        figures = Path(tmp) / "figures.json"
        env = {**os.environ, "E2E_FIGURES": str(figures), "E2E_SCALE": "full" if full else "ci"}
        start = time.monotonic()
        cmd = [sys.executable, "-m", "pytest", "-m", "e2e", "-q", "-p", "no:cacheprovider", "tests/e2e"]
        code = subprocess.call(cmd, cwd=ROOT, env=env)
        wall = time.monotonic() - start
        data = json.loads(figures.read_text()) if figures.exists() else {}
    return code, data, wall


def table(data: dict[str, str], code: int, wall: float, full: bool) -> str:
    """The figures as one Markdown table."""
    faults = [k for k in data if k.startswith("fault:")]
    passed = sum(1 for k in faults if data[k] == "passed")
    rows = [("fault scenarios passed", f"{passed}/{len(faults)}")]
    rows += [(k, v) for k, v in data.items() if not k.startswith("fault:")]
    rows.append(("suite", f"{'full' if full else 'CI'} counts, exit code {code}, {wall:.0f} s"))
    lines = ["| measure | result |", "| --- | --- |"] + [f"| {k} | {v} |" for k, v in rows]
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--ci", action="store_true", help="use the test suite's small counts")
    args = ap.parse_args()
    code, data, wall = run_suite(not args.ci)
    print(f"\nMeasured {dt.date.today().isoformat()} with `python bench/proof.py`:\n")
    print(table(data, code, wall, not args.ci))
    sys.exit(code)


if __name__ == "__main__":
    main()
