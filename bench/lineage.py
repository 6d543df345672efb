"""Revert and fix-cause lineage over a real clone's history, read with `git log`.

Reads the commits of `--rev` (default HEAD) committed from --since through --until (UTC days, both included), resolves their references
against every commit of that history up to --until, and prints: commits read, reverts found, reverts
linked to their original (and the ones that were not, with the reason), fix references found and linked.
Usage: python bench/lineage.py --repo PATH [--since 2026-07-01] [--until 2026-08-15] [--rev HEAD] [--list]

With --store DB (a new SQLite file), it runs through the product instead: each day from --since through --until
is digested from the clone (no fetch) with the heuristic analyzer (no LLM key), the links are made and stored as
the product makes them, and it prints the reverts found, linked forward (revert -> original) and backward
(original -> reverted_by), the fixes linked both ways, and the time the linking took in the whole run.
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


def run_store(repo: Path, db_path: Path, since: str, until: str, history: list[Candidate]) -> None:
    """Digest each day through the product's store and print what was linked, both ways."""
    import asyncio

    from analysis import lineage_links
    from analysis.config import PipelineConfig, SourceConfig
    from analysis.pipeline import run_digest
    from storage.db import open_db

    spent = [0.0]
    record = lineage_links.record_lineage

    def timed(*args, **kw):  # the linking's own time, inside the whole digest
        t0 = time.perf_counter()
        try:
            return record(*args, **kw)
        finally:
            spent[0] += time.perf_counter() - t0

    lineage_links.record_lineage = timed
    db = open_db(db_path)
    cfg = PipelineConfig(repos=[str(repo.resolve())], timezone="UTC", source=SourceConfig(git_fetch=False))
    day, last = datetime.fromisoformat(since).date(), datetime.fromisoformat(until).date()
    entries = []
    t = time.perf_counter()
    while day <= last:
        digest = asyncio.run(run_digest(db, cfg, day=day, target="bench", advance_cursor=False))
        entries += [e for rd in digest.repos for e in rd.entries]
        day += timedelta(days=1)
    wall = time.perf_counter() - t
    lineage_links.attach_lineage(db, entries)  # read back as a card would be, after every day is stored
    by_sha = {c.sha: c for c in history}
    reverts = [e for e in entries if parse_references(e.commit.message, e.commit.title).is_revert]
    forward = [e for e in reverts if e.lineage.reverts]
    back = {e.lineage.reverts.sha for e in forward}
    originals = {e.commit.sha for e in entries if e.lineage.reverted_by}
    fixes = [e for e in entries if e.lineage.follows_up]
    fixed = {r.sha for e in fixes for r in e.lineage.follows_up}
    fixed_back = {e.commit.sha for e in entries if e.lineage.followed_by}
    rows = db.execute("select kind, count(*) from lineage group by kind").fetchall()
    print(
        f"store {db_path}: {len(entries)} commits digested over {since}..{until} in {wall:.1f} s "
        f"(linking {spent[0] * 1000:.0f} ms); lineage rows: {dict(rows)}"
    )
    print(
        f"reverts found: {len(reverts)}; linked to their original: {len(forward)}; "
        f"originals in the window whose card says reverted: {len(originals)} of {len(back & {e.commit.sha for e in entries})} linked originals in the window"
    )
    for e in reverts:
        ref = e.lineage.reverts
        print(
            f"  {'+' if ref else '-'} {_short(by_sha.get(e.commit.sha) or Candidate.of(e.commit.sha, e.commit.message, e.commit.committed_at))}"
        )
        if ref:
            orig = by_sha.get(ref.sha)
            print(f"      -> {_short(orig) if orig else ref.sha[:10]}")
    print(
        f"fixes linked to an earlier commit: {len(fixes)} commits -> {len(fixed)} originals; "
        f"originals in the window whose card names a later fix: {len(fixed_back)}"
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repo", required=True, type=Path, help="a local clone (read only)")
    ap.add_argument("--since", help="first day (YYYY-MM-DD, UTC); default: the whole history")
    ap.add_argument("--until", help="last day, included (YYYY-MM-DD, UTC); default: now")
    ap.add_argument("--rev", default="HEAD")
    ap.add_argument("--list", action="store_true", help="also list every follow-up link")
    ap.add_argument(
        "--store", type=Path, help="a new SQLite file: digest each day through the product's store"
    )
    a = ap.parse_args()
    since = datetime.fromisoformat(a.since).replace(tzinfo=UTC) if a.since else None
    until = datetime.fromisoformat(a.until).replace(tzinfo=UTC) + timedelta(days=1) if a.until else None
    history = read_history(a.repo, a.rev, until)
    if a.store:
        if not (a.since and a.until):
            ap.error("--store needs --since and --until")
        run_store(a.repo, a.store, a.since, a.until, history)
        return
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
