"""Every GitHub retry and rate-limit wait is one INFO line that says until when; progress displays read it."""

from __future__ import annotations

import datetime as dt
import logging

import pytest

from analysis.progress import WAIT_KIND, WAIT_UNTIL, Phase
from analysis.sources.github import GitHubSource
from analysis.store.http_cache import HttpCacheTable
from storage.db import open_db
from tests.fakes.github import FakeGitHub

REPO = "acme/widgets"


@pytest.fixture
def gh():
    with FakeGitHub() as server:
        server.add_repo(REPO)
        yield server


async def _default_branch(gh: FakeGitHub, tmp_path) -> str:
    db = open_db(tmp_path / "d.db")
    source = GitHubSource(REPO, HttpCacheTable(db), gh.url, None, backoff=0.01)
    try:
        return await source.default_branch()
    finally:
        await source.aclose()
        db.conn.close()


def _waits(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if hasattr(r, WAIT_UNTIL)]


async def test_server_error_retries_are_logged(gh, tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="analysis")
    gh.add_fault(rf"/repos/{REPO}$", 502, count=2)
    assert await _default_branch(gh, tmp_path) == "main"
    waits = _waits(caplog)
    assert len(waits) == 2 and all(r.levelno == logging.INFO for r in waits)
    assert all(getattr(r, WAIT_KIND) is Phase.RETRYING for r in waits)
    assert "GitHub request failed (_ServerError: GitHub answered 502), retry 1" in waits[0].getMessage()


async def test_a_rate_limit_wait_says_until_when(gh, tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="analysis")
    gh.add_fault(rf"/repos/{REPO}$", 429, headers={"Retry-After": "1"}, body={"message": "slow down"})
    before = dt.datetime.now(dt.UTC)
    assert await _default_branch(gh, tmp_path) == "main"
    [wait] = _waits(caplog)
    until = getattr(wait, WAIT_UNTIL)
    assert getattr(wait, WAIT_KIND) is Phase.WAITING
    assert "GitHub rate limit for acme/widgets; waiting 1 s" in wait.getMessage()
    assert before + dt.timedelta(seconds=0.5) < until < before + dt.timedelta(seconds=3)
