"""SIGKILL the digest process at many points (fetching, analyzing, between the parent and its thread, at
arbitrary moments of database writes), restart it, and check nothing is lost, corrupted or posted twice."""

from __future__ import annotations

import contextlib
import random
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.e2e.world import CHANNEL, World, integrity, make_world, record_figure, scale

pytestmark = pytest.mark.e2e
COMMIT_DETAIL = r"^/repos/[^/]+/[^/]+/commits/[0-9a-f]{40}$"
RUN = [sys.executable, "-m", "bot.cli", "-v", "run", "--post"]
DEADLINE = 90.0  # generous: a whole run takes a few seconds


def start(w: World, n: int) -> subprocess.Popen:
    """`commit-digest -v run --post` in a child process, configured by environment only."""
    log = open(w.tmp / f"stderr-{n}.log", "wb")  # noqa: SIM115 (closed with the process)
    return subprocess.Popen(RUN, env=w.env(), cwd=w.tmp, stdout=subprocess.DEVNULL, stderr=log)


def wait_for(proc: subprocess.Popen, cond: Callable[[], bool]) -> bool:
    """Poll until `cond` holds (True) or the process exits first (False)."""
    deadline = time.monotonic() + DEADLINE
    while not cond():
        if proc.poll() is not None:
            return False
        assert time.monotonic() < deadline, "the crash point was never reached"
        time.sleep(0.01)
    return True


def fetching(w: World) -> Callable[[], bool]:
    w.github.add_fault(COMMIT_DETAIL, None, delay=0.5, count=None)
    return lambda: bool(w.github.requests_to(COMMIT_DETAIL))


def analyzing(w: World) -> Callable[[], bool]:
    w.chat.latency = 0.5
    return lambda: bool(w.chat.requests)


def between_parent_and_thread(w: World) -> Callable[[], bool]:
    def cond() -> bool:
        parents = w.slack.top_level(CHANNEL)
        if parents and not w.slack.thread(parents[0].ts):
            time.sleep(0.3)  # within the pause before the first reply, after the parent's ts is stored
            return True
        return False

    return cond


def after_seconds(t: float) -> Callable[[World], Callable[[], bool]]:
    def point(w: World) -> Callable[[], bool]:
        started = time.monotonic()
        return lambda: time.monotonic() - started >= t

    point.__name__ = f"after {t:.2f} s"
    return point


def crash_points() -> list[Callable[[World], Callable[[], bool]]]:
    """The phases, then moments spread over a run (each lands in some database write or between them)."""
    rng = random.Random(11)
    moments = sorted(rng.uniform(1.0, 5.0) for _ in range(scale(2, 16)))
    return [fetching, analyzing, between_parent_and_thread, *map(after_seconds, moments)]


def test_sigkill_at_many_points_loses_nothing_and_posts_once(tmp_path: Path) -> None:
    points = crash_points()
    killed = []
    for i, point in enumerate(crash_points()):
        with contextlib.ExitStack() as stack:
            root = tmp_path / f"p{i}"
            root.mkdir()
            w = make_world(root, stack)
            w.add_commits("org/svc0", 4, hot=1)
            w.add_commits("org/svc1", 3, hot=1)
            w.add_commits("org/svc2", 3)
            cond = point(w)
            proc = start(w, 0)
            if wait_for(proc, cond):
                proc.kill()
                killed.append(point.__name__)
            proc.wait(DEADLINE)
            w.clear_faults()
            w.chat.latency = 0.0
            restarted = start(w, 1)
            assert restarted.wait(DEADLINE) == 0, (root / "stderr-1.log").read_text()[-2000:]
            assert integrity(w.settings.digest_db_path) == "ok"
            w.check_complete()
            w.check_posted_once()
            assert len(w.digest_parents()) == 1
    assert {"fetching", "analyzing", "between_parent_and_thread"} <= set(killed), killed
    record_figure(
        "crash points survived (killed mid-run)", f"{len(killed)}/{len(killed)} ({len(points)} tried)"
    )
