"""How well the interface step flags breaking commits: recall and precision against griffe's whole-package comparison.

For each first-parent commit of the branch in [since, until) (UTC), griffe loads the package exported at the parent
and at the commit (`git archive`) and lists breaking changes; our step computes the commit's report from the clone.
A commit counts as breaking for us when its report has a Python API change (flags and variables are not griffe's).
Usage: python bench/attention.py --repo /path/to/clone --package flashinfer --since 2026-07-01 --until 2026-08-14
"""

from __future__ import annotations

import argparse
import asyncio
import io
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

import griffe

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analysis.interface_step import InterfaceStep  # noqa: E402
from analysis.sources.git import GitSource  # noqa: E402
from storage import db as store  # noqa: E402


def _git(repo: str, *args: str) -> bytes:
    return subprocess.run(["git", "-C", repo, *args], capture_output=True, check=True, timeout=300).stdout


def _load(repo: str, package: str, root: str, sha: str, cache: dict[str, griffe.Module | None]):
    """The package as griffe loads it from an export of `sha` (None when it cannot)."""
    if sha not in cache:
        with tempfile.TemporaryDirectory() as tmp:
            data = _git(repo, "archive", "--format=tar", sha, f"{root}{package}")
            with tarfile.open(fileobj=io.BytesIO(data)) as tar:
                tar.extractall(tmp, filter="data")
            try:
                cache[sha] = griffe.load(package, search_paths=[str(Path(tmp) / root)], resolve_aliases=False)
            except Exception:  # noqa: BLE001 - a revision griffe cannot load is left out
                cache[sha] = None
        if len(cache) > 4:
            cache.pop(next(iter(cache)))
    return cache[sha]


def griffe_breaks(old: griffe.Module, new: griffe.Module) -> list[str]:
    """griffe's own breaking changes between two loads of a package (public objects only)."""
    try:
        return [b.obj.path for b in griffe.find_breaking_changes(old, new)]
    except Exception:  # noqa: BLE001
        return []


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repo", required=True)
    ap.add_argument("--package", required=True)
    ap.add_argument("--root", default="", help="directory holding the package, e.g. python/")
    ap.add_argument("--branch", default="HEAD")
    ap.add_argument("--since", required=True)
    ap.add_argument("--until", required=True)
    args = ap.parse_args()
    log = _git(args.repo, "log", "--first-parent", "--reverse", "--format=%H %P", f"--since={args.since}T00:00Z",
               f"--until={args.until}T00:00Z", args.branch).decode().split("\n")  # fmt: skip
    pairs = [(line.split()[0], line.split()[1]) for line in log if len(line.split()) >= 2]
    source = GitSource(args.repo)
    cache: dict[str, griffe.Module | None] = {}
    tp = fp = fn = 0
    with tempfile.TemporaryDirectory() as tmp:
        step = InterfaceStep(store.open_db(Path(tmp) / "a.db"), source, run_seconds=1e9)
        for sha, parent in pairs:
            old, new = (_load(args.repo, args.package, args.root, s, cache) for s in (parent, sha))
            theirs = griffe_breaks(old, new) if old is not None and new is not None else []
            report = await step.report(await source.fetch(sha))
            ours = [
                c.object
                for c in (report.changes if report else [])
                if not c.kind.startswith(("flag_", "env_"))
            ]
            tp += bool(theirs) and bool(ours)
            fp += bool(ours) and not theirs
            fn += bool(theirs) and not ours
            if theirs or ours:
                print(
                    f"{sha[:10]} griffe={len(theirs):<4} ours={len(ours):<4} {(theirs or ours)[:2]}",
                    flush=True,
                )
    await source.aclose()
    recall = tp / (tp + fn) if tp + fn else 1.0
    precision = tp / (tp + fp) if tp + fp else 1.0
    print(f"commits {len(pairs)}  breaking by griffe {tp + fn}  flagged by us {tp + fp}  both {tp}")
    print(f"recall {recall:.2f}  precision {precision:.2f} (goal >= 0.90 both)")


if __name__ == "__main__":
    asyncio.run(main())
