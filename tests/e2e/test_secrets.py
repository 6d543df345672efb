"""Recognisable fake tokens never appear in a log line, a Slack payload, a report or a database row."""

from __future__ import annotations

import json
import logging
import subprocess
import sys

import pytest

from analysis import report
from analysis.pipeline import run_digest
from tests.e2e.world import SECRETS, World, http_bot

pytestmark = pytest.mark.e2e


def leaks(text: str) -> list[str]:
    """The secrets (or their distinctive middles) found in `text`."""
    return [s for s in SECRETS if s in text or s[4:20] in text]


async def test_tokens_appear_nowhere(world: World, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    world.add_commits("org/svc0", 3, hot=1)
    world.add_commits("org/svc1", 2)
    world.chat_faults.extend(["500", "invalid_json"])
    world.github.add_fault(r"/commits$", 502, count=1)
    await world.run()
    async with http_bot(world) as bot:
        sha = world.window["org/svc0"][0]
        for text in (sha[:9], "<!channel>", "deadbeef" * 5):
            resp, url = await bot.command("/commit", text)
            await bot.answer(resp, url)
        resp, _ = await bot.command("/digest", "status")
        assert resp.status_code == 200
    db = world.db
    digest = await run_digest(db, world.settings.pipeline_config(), target="terminal")
    reports = [
        report.render_markdown(digest),
        report.render_text(digest),
        json.dumps(report.render_json(digest)),
    ]
    proc = subprocess.run(
        [sys.executable, "-m", "bot.cli", "-vv", "run", "--post"],
        env=world.env(),
        cwd=world.tmp,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    status = subprocess.run(
        [sys.executable, "-m", "bot.cli", "status", "--format", "json"],
        env=world.env(),
        cwd=world.tmp,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert status.returncode == 0, status.stderr[-2000:]

    log_lines = [r.getMessage() for r in caplog.records]
    assert any("chat.postMessage" in line for line in log_lines), "debug logging was not captured"
    assert not leaks("\n".join(log_lines)), "a secret reached the log"
    assert not leaks(proc.stderr + proc.stdout + status.stdout + status.stderr), (
        "a secret reached the CLI output"
    )
    assert not leaks(json.dumps([c.params for c in world.slack.calls], ensure_ascii=False))
    assert not leaks(json.dumps(bot.responses.bodies, ensure_ascii=False))
    assert not leaks("\n".join(reports))
    for table in db.table_names():
        rows = json.dumps(list(db[table].rows), ensure_ascii=False, default=str)
        assert not leaks(rows), f"a secret is stored in {table}"
