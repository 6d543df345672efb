"""A disk that fills mid-run: one clear line, no traceback, the database intact, and the next run loses nothing."""

from __future__ import annotations

import asyncio
import logging
import os
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot import subscriptions
from bot.scheduler import Digester, make_scheduler
from bot.settings import load_settings
from bot.slack.client import make_client
from storage.db import open_db
from tests.fakes.slack import FakeSlack
from tests.gitrepo import GitRepo

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def small_disk(tmp_path: Path):
    """A 16 MiB tmpfs mounted for the test (root only); skipped where it cannot be mounted."""
    mnt = tmp_path / "disk"
    mnt.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a small file system needs root")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(mnt)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode(errors='replace').strip()}")
    yield mnt
    subprocess.run(["umount", "-l", str(mnt)], check=False)


def cli(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": os.environ["PATH"],
        "PYTHONPATH": str(ROOT),
        "DIGEST_DB_PATH": str(db),
        "HOME": str(db.parent),
    }
    cmd = [sys.executable, "-m", "bot.cli", *args]
    return subprocess.run(cmd, env=env, cwd=db.parent, capture_output=True, text=True, timeout=120)


def fill(mnt: Path, leave: int) -> Path:
    """Fill the file system but `leave` bytes."""
    st = os.statvfs(mnt)
    filler = mnt / "filler"
    with open(filler, "wb") as f:
        f.write(b"\0" * max(st.f_bavail * st.f_frsize - leave, 0))
    return filler


def test_a_disk_filling_mid_run_is_one_line_and_the_next_run_recovers(
    tmp_path: Path, small_disk: Path
) -> None:
    repo = GitRepo(tmp_path / "proj")
    repo.commit("Initial import", {"README.md": "hello\n"})
    db = small_disk / "digest.db"
    first = cli(db, "run", "--repo", str(repo.path), "--format", "json")
    assert first.returncode == 0, first.stderr
    titles = []
    for i in range(40):
        body = "".join(f"value_{i}_{n} = {n * i} # {os.urandom(24).hex()}\n" for n in range(300))
        titles.append(f"Add generated table {i}")
        repo.commit(titles[-1], {f"src/table_{i}.py": body})
    filler = fill(small_disk, 256 * 1024)

    full = cli(db, "run", "--repo", str(repo.path), "--format", "json")

    assert full.returncode == 1
    assert "Traceback" not in full.stderr + full.stdout
    lines = [line for line in full.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, full.stderr
    assert str(db) in lines[0] and "full" in lines[0] and "free space" in lines[0], lines[0]
    assert full.stdout.strip() == ""  # no digest
    filler.unlink()
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"

    again = cli(db, "run", "--repo", str(repo.path), "--format", "json")

    assert again.returncode == 0, again.stderr
    assert all(title in again.stdout for title in titles)  # nothing was marked reported by the failed run


async def test_a_full_disk_at_the_scheduled_run_is_one_line_and_the_bot_goes_on(
    tmp_path: Path, small_disk: Path, caplog
) -> None:
    repo = GitRepo(tmp_path / "proj")
    repo.commit("Initial import", {"README.md": "hello\n"})
    with FakeSlack() as slack:
        settings = load_settings(
            slack_bot_token=slack.token,
            slack_api_url=slack.url,
            digest_db_path=str(small_disk / "digest.db"),
            digest_channel="C1",
            digest_repos=str(repo.path),
        )
        db = open_db(settings.digest_db_path)
        subscriptions.seed(db, settings)
        digester = Digester(settings, db, make_client(slack.token, settings.slack_api_url))
        [first] = await digester.run()  # the day's digest: the clone's cursor starts here
        assert first.posted
        titles = [f"Add generated table {i}" for i in range(40)]
        for i, title in enumerate(titles):
            repo.commit(
                title,
                {f"src/table_{i}.py": "".join(f"v_{n} = '{os.urandom(24).hex()}'\n" for n in range(300))},
            )
        filler = fill(small_disk, 32 * 1024)
        sched = make_scheduler(digester)
        sched.start()
        try:
            caplog.clear()
            digester.last.clear()
            sched.get_job("digest").modify(next_run_time=datetime.now(UTC) + timedelta(seconds=1))
            deadline = time.monotonic() + 60
            while "C1" not in digester.last:
                assert time.monotonic() < deadline, "the scheduled run did not finish"
                await asyncio.sleep(0.05)
            outcome = digester.last["C1"]
            assert not outcome.posted and "is full: free space" in (outcome.error or "")
            assert sched.running and sched.get_job("digest") is not None  # the bot goes on
            assert not any(r.exc_info for r in caplog.records), [r.getMessage() for r in caplog.records]
            errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
            assert len(errors) == 1 and str(small_disk / "digest.db") in errors[0], errors
            _, alert = slack.top_level("C1")
            assert "is full: free space" in alert.text
            filler.unlink()
            [again] = await digester.run()
            assert again.posted, again.error
            assert again.followed_up  # what is new since the day's digest, nothing lost
            posted = " ".join(str(m.blocks) for m in slack.top_level("C1")[2:])
            assert "40 commits" in posted and titles[0] in posted
        finally:
            sched.shutdown(wait=False)
            db.conn.close()
