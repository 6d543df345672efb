"""/healthz tells the truth about the scheduler and the Socket Mode connection; serve says how it started."""

from __future__ import annotations

import asyncio
import logging
import socket
import time

import httpx
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

from bot.app import build_app, run_bot
from bot.health import Health, health_response
from bot.runtime import Context
from bot.scheduler import Digester
from bot.settings import load_settings
from bot.slack.client import make_client
from storage.db import open_db
from tests.fakes.slack import FakeSlack

SECRET = "test-signing-secret"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def _body(health: Health) -> tuple[int, bytes]:
    resp = await health_response(health)
    return resp.status, resp.body


async def test_a_stopped_scheduler_or_a_closed_connection_is_503(tmp_path) -> None:
    scheduler = AsyncIOScheduler()
    assert await _body(Health(scheduler=scheduler)) == (
        503,
        b'{"ok": false, "down": ["scheduler"], "scheduler": false}',
    )
    scheduler.start()
    try:
        assert (await _body(Health(scheduler=scheduler)))[0] == 200
        settings = load_settings(digest_db_path=str(tmp_path / "h.db"), slack_bot_token="xoxb-1")
        db = open_db(settings.digest_db_path)
        client = make_client("xoxb-1", "http://127.0.0.1:9")
        app = build_app(Context(settings, db, client, Digester(settings, db, client)), socket_mode=True)
        handler = AsyncSocketModeHandler(app, "xapp-1-test")  # never connected
        status, body = await _body(Health(socket_mode=True, scheduler=scheduler, socket=handler))
        assert status == 503 and b'"down": ["socket_mode"]' in body
        await handler.close_async()
        db.conn.close()
    finally:
        scheduler.shutdown(wait=False)


async def test_serve_is_healthy_when_up_and_logs_one_start_line(tmp_path, caplog, monkeypatch) -> None:
    caplog.set_level(logging.INFO)
    with FakeSlack() as slack:
        monkeypatch.setenv("SLACK_BOT_TOKEN", slack.token)  # as in production: Bolt must not warn about it
        settings = load_settings(
            slack_signing_secret=SECRET,
            slack_api_url=slack.url,
            digest_db_path=str(tmp_path / "serve.db"),
            digest_channel="C1",
            digest_repos="o/r",
            digest_schedule="0 9 * * 1-5",
            digest_timezone="Asia/Shanghai",
        )
        port, stop = free_port(), asyncio.Event()
        task = asyncio.create_task(run_bot(settings, port, stop))
        async with httpx.AsyncClient(timeout=30) as http:
            deadline = time.monotonic() + 30
            while True:
                try:
                    resp = await http.get(f"http://127.0.0.1:{port}/healthz")
                    if resp.status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert time.monotonic() < deadline and not task.done()
                await asyncio.sleep(0.05)
        assert resp.json() == {"ok": True, "down": [], "scheduler": True}
        stop.set()
        await asyncio.wait_for(task, 30)
    messages = [r.getMessage() for r in caplog.records]
    [start] = [m for m in messages if m.startswith("commit-digest is running")]
    assert "HTTP mode on port" in start and "channels: C1" in start and "repositories: o/r" in start
    assert "schedule: 0 9 * * 1-5 (Asia/Shanghai)" in start and "next run: 20" in start
    assert not [m for m in messages if "will be unused" in m]
