"""Two real processes posting at once: one digest per channel and day, and every commit analyzed once."""

from __future__ import annotations

import asyncio
import contextlib
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.world import CHANNEL, World, make_world

pytestmark = pytest.mark.e2e
RUN = [sys.executable, "-m", "bot.cli", "run", "--post"]
DEADLINE = 120.0


def _start(w: World, n: int, *args: str) -> tuple[subprocess.Popen, Path]:
    err = w.tmp / f"stderr-{n}.log"
    proc = subprocess.Popen(  # noqa: S603 (our own command line)
        [*RUN, *args], env=w.env(), cwd=w.tmp, stdout=subprocess.DEVNULL, stderr=err.open("wb")
    )
    return proc, err


def _llm_calls(w: World) -> int:
    return w.db.execute("select coalesce(sum(llm_calls), 0) from analyses").fetchone()[0]


def test_two_processes_posting_at_once_post_one_digest_and_analyze_each_commit_once(tmp_path):
    with contextlib.ExitStack() as stack:
        w = make_world(tmp_path, stack)
        for i, repo in enumerate(w.repos):
            w.add_commits(repo, 7, hot=1 if i == 0 else 0)
        w.chat.latency = 0.2  # the first process is still analyzing when the second one starts
        runs = [_start(w, n) for n in range(2)]
        for proc, err in runs:
            assert proc.wait(DEADLINE) == 0, err.read_text()[-2000:]
        said = [err.read_text() for _, err in runs]

        assert len(w.digest_parents()) == 1
        w.check_posted_once()
        w.check_complete()
        assert sum("a digest for this channel and day is being posted" in s for s in said) == 1, said
        assert "Traceback" not in "".join(said)
        assert len(w.chat.card_requests) == _llm_calls(w)  # no commit was analyzed by both processes


def test_two_channels_at_once_share_each_analysis(tmp_path):
    with contextlib.ExitStack() as stack:
        w = make_world(tmp_path, stack)
        for repo in w.repos:
            w.add_commits(repo, 6)
        w.chat.latency = 0.2
        runs = [_start(w, n, "--channel", channel) for n, channel in enumerate((CHANNEL, "C2"))]
        for proc, err in runs:
            assert proc.wait(DEADLINE) == 0, err.read_text()[-2000:]

        assert len(w.slack.top_level(CHANNEL)) == 1 and len(w.slack.top_level("C2")) == 1
        w.check_complete()
        commits = sum(len(s) for s in w.window.values())
        assert len(w.chat.card_requests) == _llm_calls(w) == commits  # each commit analyzed once, for both


async def test_a_post_beside_the_bot_posting_its_digest_says_so_and_exits_cleanly(tmp_path):
    with contextlib.ExitStack() as stack:
        w = make_world(tmp_path, stack)
        for repo in w.repos:
            w.add_commits(repo, 5)
        w.chat.latency = 0.3
        serving = asyncio.create_task(w.run())  # the Digester as `serve` runs it (schedule or catch-up)
        while not w.chat.requests:  # it holds the channel's claim once it analyzes
            await asyncio.sleep(0.02)
        proc = await asyncio.create_subprocess_exec(
            *RUN, env=w.env(), cwd=w.tmp, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE
        )
        _, err = await asyncio.wait_for(proc.communicate(), DEADLINE)
        outcome = await serving

        assert proc.returncode == 0, err.decode()[-2000:]
        assert "a digest for this channel and day is being posted by another process" in err.decode()
        assert outcome.posted and len(w.digest_parents()) == 1
        w.check_complete()
        assert len(w.chat.card_requests) == _llm_calls(w)
