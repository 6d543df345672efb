"""HTTP mode under abuse: malformed and unsigned requests, Slack's retries, idle and slow connections."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from dataclasses import dataclass

import httpx
import pytest

from bot.app import build_app, start_http
from bot.runtime import Context
from bot.scheduler import Digester
from bot.settings import load_settings
from bot.slack.client import make_client
from storage.db import open_db
from tests.fakes.digests import SHA, seed_commit
from tests.fakes.slack import FakeSlack
from tests.fakes.slack_inbound import SECRET, signed_headers

IDLE_CONNECTIONS = 2000
CAP = 500


@dataclass
class Server:
    ctx: Context
    slack: FakeSlack
    base: str
    runner: object


@pytest.fixture
async def serve(tmp_path):
    stack = contextlib.AsyncExitStack()

    async def start(**kw) -> Server:
        slack = stack.enter_context(FakeSlack())
        settings = load_settings(
            slack_bot_token=slack.token,
            slack_signing_secret=SECRET,
            slack_api_url=slack.url,
            digest_db_path=str(tmp_path / "bot.db"),
        )
        db = open_db(settings.digest_db_path)
        client = make_client(slack.token, settings.slack_api_url)
        ctx = Context(settings, db, client, Digester(settings, db, client))
        runner = await start_http(build_app(ctx), 0, "127.0.0.1", **kw)
        stack.push_async_callback(runner.cleanup)
        return Server(ctx, slack, f"http://127.0.0.1:{runner.addresses[0][1]}", runner)

    yield start
    await stack.aclose()


def no_tracebacks(caplog) -> None:
    assert not [r for r in caplog.records if r.exc_info], [
        r.getMessage() for r in caplog.records if r.exc_info
    ]
    assert "Traceback" not in caplog.text


async def test_malformed_and_unsigned_requests_are_refused_without_a_traceback(serve, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    bot = await serve()
    url = bot.base + "/slack/events"
    form = "application/x-www-form-urlencoded"
    now = str(int(time.time()))
    cases = [
        (
            {"X-Slack-Request-Timestamp": "abc", "X-Slack-Signature": "v0=00", "Content-Type": form},
            "a=b",
            401,
        ),
        ({"Content-Type": form}, "command=/commit&text=abc", 401),
        (
            {"X-Slack-Request-Timestamp": now, "X-Slack-Signature": "v0=" + "0" * 64, "Content-Type": form},
            "a=b",
            401,
        ),
        (
            {"X-Slack-Request-Timestamp": "9" * 40, "X-Slack-Signature": "v0=1", "Content-Type": form},
            "a=b",
            401,
        ),
        ({"X-Slack-Request-Timestamp": "-1", "X-Slack-Signature": "v0=1", "Content-Type": form}, "a=b", 401),
        (signed_headers("{broken", content_type="application/json"), "{broken", 400),
        (signed_headers("[1, 2]", content_type="application/json"), "[1, 2]", 400),
        (signed_headers("payload=%7Bbroken", content_type=form), "payload=%7Bbroken", 400),
        (signed_headers("payload=%FF%FE", content_type=form), "payload=%FF%FE", 400),
        (signed_headers("hello", content_type="text/plain"), "hello", 400),
        (signed_headers('{"type": "x"}', content_type="application/xml"), '{"type": "x"}', 400),
    ]
    async with httpx.AsyncClient(timeout=10) as http:
        for headers, body, status in cases:
            resp = await http.post(url, content=body, headers=headers)
            assert resp.status_code == status, (headers, body, resp.status_code, resp.text)
        big = "text=" + "x" * (2 * 1024 * 1024)
        resp = await http.post(url, content=big, headers=signed_headers(big, content_type=form))
        assert resp.status_code == 413
        assert (await http.get(bot.base + "/healthz")).status_code == 200
    no_tracebacks(caplog)
    assert bot.slack.calls == []


async def test_slack_retries_and_duplicate_event_ids_are_handled_once(serve, caplog) -> None:
    bot = await serve()
    seed_commit(bot.ctx.db)
    parent = (await bot.ctx.client.chat_postMessage(channel="C1", text="what broke?"))["ts"]
    event = {"type": "app_mention", "user": "U1", "channel": "C1", "ts": parent, "text": f"<@UBOT> {SHA[:9]}"}
    body = json.dumps(
        {"type": "event_callback", "team_id": "T1", "api_app_id": "A1", "event_id": "Ev1", "event": event}
    )
    async with httpx.AsyncClient(timeout=10) as http:
        for retry in (None, "1", "2", None):
            headers = signed_headers(body, content_type="application/json")
            if retry:
                headers |= {"X-Slack-Retry-Num": retry, "X-Slack-Retry-Reason": "http_timeout"}
            assert (
                await http.post(bot.base + "/slack/events", content=body, headers=headers)
            ).status_code == 200
    deadline = time.monotonic() + 20
    while not bot.slack.thread(parent) and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.5)  # time for any second answer to arrive
    assert len(bot.slack.thread(parent)) == 1
    no_tracebacks(caplog)


async def test_healthz_answers_while_thousands_of_idle_connections_are_held(serve, caplog) -> None:
    caplog.set_level(logging.INFO)
    bot = await serve(max_connections=CAP)
    port = int(bot.base.rsplit(":", 1)[1])
    held: list[asyncio.StreamWriter] = []
    readers: list[asyncio.StreamReader] = []
    started = time.monotonic()
    try:
        for _ in range(IDLE_CONNECTIONS):
            reader, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), 5)
            readers.append(reader)
            held.append(writer)
        latencies = []
        async with httpx.AsyncClient(timeout=5) as http:
            for _ in range(20):
                t0 = time.monotonic()
                resp = await http.get(bot.base + "/healthz")
                latencies.append(time.monotonic() - t0)
                assert resp.status_code == 200 and resp.json() == {"ok": True}
        assert time.monotonic() - started < 60
        assert max(latencies) < 2.0, latencies
        await asyncio.sleep(0.3)
        closed = sum(1 for r in readers if r.at_eof() or r.exception() is not None)
        assert closed >= IDLE_CONNECTIONS - CAP, closed  # the server kept at most CAP of them open
    finally:
        for w in held:
            w.transport.abort()
    print(f"/healthz with {IDLE_CONNECTIONS} idle connections: max {max(latencies) * 1000:.0f} ms")
    assert len(caplog.text) < 20_000  # no flood of accept errors
    no_tracebacks(caplog)


async def test_silent_and_slow_connections_are_closed_after_the_idle_timeout(serve) -> None:
    bot = await serve(idle_timeout=0.5)
    port = int(bot.base.rsplit(":", 1)[1])
    silent_r, silent_w = await asyncio.open_connection("127.0.0.1", port)
    slow_r, slow_w = await asyncio.open_connection("127.0.0.1", port)
    slow_w.write(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")  # headers never finished
    t0 = time.monotonic()
    assert await asyncio.wait_for(silent_r.read(), 5) == b""
    assert await asyncio.wait_for(slow_r.read(), 5) == b""
    assert time.monotonic() - t0 < 4
    for w in (silent_w, slow_w):
        w.close()
    async with httpx.AsyncClient(timeout=5) as http:
        assert (await http.get(bot.base + "/healthz")).status_code == 200
