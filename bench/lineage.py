"""Revert and fix-cause lineage over a real clone's history, read with `git log`.

Reads the commits of `--rev` (default HEAD) committed from --since through --until (UTC days, both included), resolves their references
against every commit of that history up to --until, and prints: commits read, reverts found, reverts
linked to their original (and the ones that were not, with the reason), fix references found and linked.
Usage: python bench/lineage.py --repo PATH [--since 2026-07-01] [--until 2026-08-15] [--rev HEAD] [--list]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analysis.lineage import Candidate, index, link_report, parse_references  # noqa: E402


def read_history(repo: Path, rev: str, until: datetime | None) -> list[Candidate]:
    """Every commit reachable from `rev` committed before `until`, oldest first."""
    args = ["git", "-C", str(repo), "log", "-z", "--format=%H%x1f%ct%x1f%B", rev]
    out = subprocess.run(args, capture_output=True, check=True, timeout=300).stdout.decode(errors="replace")
    commits = []
    for rec in out.split("\0"):
        if not rec.strip():
            continue
        sha, ts, msg = rec.strip("\n").split("\x1f", 2)
        at = datetime.fromtimestamp(int(ts), UTC)
        if until is None or at < until:
            commits.append(Candidate.of(sha, msg, at))
    return sorted(commits, key=lambda c: c.committed_at)


def _short(c: Candidate) -> str:
    return f"{c.sha[:10]} {c.committed_at:%Y-%m-%d} {c.title[:90]}"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repo", required=True, type=Path, help="a local clone (read only)")
    ap.add_argument("--since", help="first day (YYYY-MM-DD, UTC); default: the whole history")
    ap.add_argument("--until", help="last day, included (YYYY-MM-DD, UTC); default: now")
    ap.add_argument("--rev", default="HEAD")
    ap.add_argument("--list", action="store_true", help="also list every follow-up link")
    a = ap.parse_args()
    since = datetime.fromisoformat(a.since).replace(tzinfo=UTC) if a.since else None
    until = datetime.fromisoformat(a.until).replace(tzinfo=UTC) + timedelta(days=1) if a.until else None
    history = read_history(a.repo, a.rev, until)
    window = [c for c in history if since is None or c.committed_at >= since]
    t = time.perf_counter()
    links, missed = link_report(window, index(history))
    wall = time.perf_counter() - t
    by_sha = {c.sha: c for c in history}
    reverts = [c for c in window if parse_references(c.message, c.title).is_revert]
    causes = [c for c in window if (r := parse_references(c.message, c.title)).cause_shas or r.cause_prs]
    rev_links = [ln for ln in links if ln.kind == "reverts"]
    fix_links = [ln for ln in links if ln.kind == "follows_up"]
    linked = {ln.sha for ln in rev_links}
    print(f"repo {a.repo} rev {a.rev} window {a.since or 'start'}..{a.until or 'now'}")
    print(
        f"commits read: {len(window)} (history searched: {len(history)}), linking took {wall * 1000:.0f} ms"
    )
    print(
        f"reverts found: {len(reverts)}; linked to their original: {len(linked)}; not linked: {len(reverts) - len(linked)}"
    )
    for c in reverts:
        mine = [ln for ln in rev_links if ln.sha == c.sha]
        print(f"  {'+' if mine else '-'} {_short(c)}")
        for ln in mine:
            print(f"      -> {ln.via:5} {_short(by_sha[ln.target_sha])}")
        for m in missed:
            if m.sha == c.sha and m.kind == "reverts":
                print(f"      !  {m.ref or '(none)'}: {m.reason}")
    fixed = {ln.sha for ln in fix_links}
    fix_missed = [m for m in missed if m.kind == "follows_up"]
    print(
        f"fix references found: {len(causes)} commits; linked: {len(fixed)} commits, {len(fix_links)} links; "
        f"unresolved references: {len(fix_missed)}"
    )
    if a.list:
        for ln in fix_links:
            print(f"  {_short(by_sha[ln.sha])}\n      -> {ln.via:5} {_short(by_sha[ln.target_sha])}")
    for m in fix_missed:
        print(f"  ! {_short(by_sha[m.sha])}: {m.ref}: {m.reason}")


if __name__ == "__main__":
    main()
