"""A second `run --post` on a day already posted says so, and posts only what is new since, as a follow-up."""

from __future__ import annotations

import contextlib
import subprocess
import sys

import pytest

from tests.e2e.world import CHANNEL, make_world

pytestmark = pytest.mark.e2e
RUN = [sys.executable, "-m", "bot.cli", "run", "--post"]


def test_a_second_post_on_a_posted_day_says_so_and_posts_only_the_new_commits(tmp_path):
    with contextlib.ExitStack() as stack:
        w = make_world(tmp_path, stack, repos=1)
        [repo] = w.repos
        w.add_commits(repo, 2, start_hours=3)

        def post() -> subprocess.CompletedProcess:
            return subprocess.run(RUN, env=w.env(), cwd=w.tmp, capture_output=True, text=True, timeout=120)  # noqa: S603

        first = post()
        assert first.returncode == 0 and first.stderr == "", first.stderr
        assert len(w.slack.top_level(CHANNEL)) == 1

        again = post()
        assert again.returncode == 0
        assert again.stderr.strip().splitlines() == [
            f"{CHANNEL}: the digest for this channel and day was already posted; nothing new since"
        ]
        assert len(w.slack.top_level(CHANNEL)) == 1

        [late] = w.add_commits(repo, 1, hot=1, start_hours=0.5)
        more = post()
        assert more.returncode == 0
        assert more.stderr.strip().splitlines() == [
            f"{CHANNEL}: the digest for this channel and day was already posted; "
            "what is new since was posted after it"
        ]
        parents = w.slack.top_level(CHANNEL)
        assert len(parents) == 2 and late[:7] in str(parents[1].blocks)
        assert all(sha[:7] not in str(parents[1].blocks) for sha in w.window[repo][:2])
        assert (
            len(w.slack.thread(parents[1].ts)) == 1
        )  # the new high commit's full card, in the follow-up's thread

        last = post()
        assert "nothing new since" in last.stderr and len(w.slack.top_level(CHANNEL)) == 2
