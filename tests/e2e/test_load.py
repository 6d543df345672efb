"""Load: /commit acknowledgements under concurrency against a large database, and a many-repository digest."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import random
import time
from pathlib import Path

import pytest

from analysis.models import AnalysisStatus, Card, Importance
from analysis.store.analyses import card_to_json
from tests.e2e.world import World, http_bot, make_world, record_figure, scale

pytestmark = pytest.mark.e2e
ACK_LIMIT = 3.0  # Slack drops a slash command not acknowledged within 3 seconds


def fill(w: World, n: int) -> list[str]:
    """`n` analyzed commits across 20 repositories, written in bulk; return their SHAs."""
    db = w.db
    shas = [hashlib.sha1(f"load:{i}".encode()).hexdigest() for i in range(n)]
    card = Card(change_type="fix", importance=Importance.MEDIUM, summary=["Fixes a race in the scheduler."])
    commits, analyses = [], []
    for i, sha in enumerate(shas):
        repo = f"load/repo{i % 20}"
        commits.append(
            {
                "repo": repo,
                "sha": sha,
                "title": f"Fix scheduler race {i}",
                "message": f"Fix scheduler race {i}",
                "author_name": "Ada",
                "committed_at": "2026-01-24T10:00:00+00:00",
                "url": f"https://github.com/{repo}/commit/{sha}",
                "detailed": 1,
            }
        )
        medium = Importance.MEDIUM.value
        analyses.append(
            {
                "repo": repo,
                "sha": sha,
                "status": AnalysisStatus.DONE.value,
                "scored": medium,
                "importance": medium,
            }
            | {"reasons": "[]", "card": card_to_json(card), "model": "m", "language": "en", "attempts": 0}
        )
    with db.conn:
        db["commits"].insert_all(commits, batch_size=5000)
        db["analyses"].insert_all(analyses, batch_size=5000)
    return shas


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


async def test_commit_acks_under_concurrency_with_a_large_database(world: World) -> None:
    n_commits, n_requests, concurrency = scale(2_000, 100_000), scale(40, 200), 20
    shas = fill(world, n_commits)
    probes = [s[:10] for s in random.Random(2).sample(shas, n_requests)]
    gate = asyncio.Semaphore(concurrency)
    latencies: list[float] = []
    errors = 0
    async with http_bot(world) as bot:

        async def one(prefix: str) -> None:
            nonlocal errors
            async with gate:
                start = time.monotonic()
                resp, url = await bot.command("/commit", prefix)
                latencies.append(time.monotonic() - start)
                try:
                    assert resp.status_code == 200
                    assert prefix[:7] in await bot.answer(resp, url)
                except AssertionError:
                    errors += 1

        await asyncio.gather(*(one(p) for p in probes))
    p50, p99 = pct(latencies, 50), pct(latencies, 99)
    record_figure(
        "/commit ack",
        f"p50 {p50 * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms, {errors} errors "
        f"({n_requests} requests, {concurrency} concurrent, {n_commits:,} commits)",
    )
    assert errors == 0
    assert p99 < ACK_LIMIT


async def test_many_repository_digest(tmp_path: Path) -> None:
    repos = scale(4, 20)
    with contextlib.ExitStack() as stack:
        w = make_world(tmp_path, stack, repos=repos)
        for name in w.repos:
            w.add_commits(name, 5, hot=1 if name.endswith("svc0") else 0)
        start = time.monotonic()
        outcome = await w.run()
        wall = time.monotonic() - start
        assert outcome.posted and outcome.error is None, outcome
        w.check_complete()
        w.check_posted_once()
        record_figure(
            f"{repos}-repository digest",
            f"{wall:.1f} s wall, {len(w.github.log)} GitHub requests, {len(w.chat.requests)} LLM calls "
            f"({5 * repos} commits)",
        )
        assert len(w.chat.requests) >= 5 * repos
