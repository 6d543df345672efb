"""Credentials written into GITHUB_API_URL and OPENAI_BASE_URL, and a key echoed back in an error body, appear
nowhere the product writes: stdout, stderr, the log, any database column, reports and Slack payloads."""

from __future__ import annotations

import json
import logging
import subprocess
import sys

import pytest

from analysis import report
from analysis.pipeline import run_digest
from analysis.redact import install_log_redaction
from bot.settings import load_settings
from tests.e2e.world import GITHUB_TOKEN, OPENAI_KEY, SECRETS, World, http_bot

pytestmark = pytest.mark.e2e
GH_URL_SECRET = "ghp_urlsecretE2E000000000000000000000"
LLM_URL_SECRET = "sk-urlsecretE2E00000000000000000000"
ALL = (*SECRETS, GH_URL_SECRET, LLM_URL_SECRET)


def leaks(text: str) -> list[str]:
    """The secrets found in `text`, in any letter case."""
    low = text.lower()
    return [s for s in ALL if s.lower() in low or s[4:20].lower() in low]


def with_credentials_in_urls(world: World) -> None:
    """Point the settings at the fakes through URLs that carry credentials."""
    gh = world.settings.github_api_url.replace("http://", f"http://bot:{GH_URL_SECRET}@")
    llm = (world.settings.openai_base_url or "").replace("http://", f"http://user:{LLM_URL_SECRET}@")
    world.settings = load_settings(
        **{**world.settings.model_dump(), "github_api_url": gh, "openai_base_url": llm}
    )


def cli(world: World, *args: str) -> subprocess.CompletedProcess[str]:
    env = world.env(
        GITHUB_API_URL=world.settings.github_api_url, OPENAI_BASE_URL=world.settings.openai_base_url
    )
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        env=env,
        cwd=world.tmp,
        capture_output=True,
        text=True,
        timeout=120,
    )


async def test_url_credentials_and_echoed_keys_appear_nowhere(world: World, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    install_log_redaction()  # as `serve` and the CLI do at startup
    with_credentials_in_urls(world)
    world.add_commits("org/svc0", 3, hot=1)
    world.add_commits("org/svc1", 2)
    world.chat_faults.extend(["echo_key"] * 40)  # every analysis fails with the key in the error body
    echoed = f"Bad credentials: {GITHUB_TOKEN} / {GH_URL_SECRET.upper()} / {OPENAI_KEY}"
    world.github.add_fault(r"/repos/org/svc2/commits$", 400, body={"message": echoed}, count=None)
    await world.run()
    assert world.chat.requests, "the LLM endpoint was never reached"
    assert {r.authorization for r in world.chat.requests} == {f"Bearer {OPENAI_KEY}"}
    assert {r.headers.get("authorization") for r in world.github.log} == {f"Bearer {GITHUB_TOKEN}"}
    assert world.errored_repos() == {"org/svc2"}  # the other repositories were read through the URL
    async with http_bot(world) as bot:
        sha = world.window["org/svc0"][0]
        for text in (sha[:9], "deadbeef" * 5, f"https://github.com/org/svc2/commit/{'ab' * 20}"):
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
    runs = [
        cli(world, "-vv", "run", "--post"),
        cli(world, "-vv", "run", "--format", "markdown", "--reanalyze"),
        cli(world, "status", "--format", "json"),
        cli(world, "status"),
        cli(world, "show", sha[:9]),
    ]
    errors = [r["error"] for r in db["analyses"].rows if r["error"]]
    assert errors and all("[redacted]" in e for e in errors), errors[:2]

    log_text = "\n".join(r.getMessage() + (r.exc_text or "") for r in caplog.records)
    assert not leaks(log_text), "a secret reached the log"
    for proc in runs:
        assert not leaks(proc.stdout + proc.stderr), (proc.args, (proc.stdout + proc.stderr)[-600:])
    assert not leaks(json.dumps([c.params for c in world.slack.calls], ensure_ascii=False))
    assert not leaks(json.dumps(bot.responses.bodies, ensure_ascii=False))
    assert not leaks("\n".join(reports))
    for table in db.table_names():
        rows = json.dumps(list(db[table].rows), ensure_ascii=False, default=str)
        assert not leaks(rows), f"a secret is stored in {table}"
