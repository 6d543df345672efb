"""A bot served over HTTP against the tests' Slack (and, when asked, GitHub and chat-completions) servers."""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass

import httpx
import pytest
import sqlite_utils

from bot.app import build_app, start_http
from bot.runtime import Context
from bot.scheduler import Digester
from bot.settings import load_settings
from bot.slack.client import make_client
from storage.db import open_db
from tests.fakes.slack import FakeSlack
from tests.fakes.slack_inbound import SECRET, SlackSender


@dataclass
class ServedBot:
    """A running app, its database, the Slack server it talks to, and a signed sender of Slack's requests."""

    ctx: Context
    db: sqlite_utils.Database
    slack: FakeSlack
    send: SlackSender


@pytest.fixture
async def serve_bot(tmp_path):
    """Start the app in HTTP mode with these setting overrides; everything stops after the test."""
    stack = contextlib.AsyncExitStack()

    async def serve(**overrides) -> ServedBot:
        slack = stack.enter_context(FakeSlack())
        settings = load_settings(
            slack_bot_token=slack.token,
            slack_signing_secret=SECRET,
            slack_api_url=slack.url,
            digest_db_path=str(tmp_path / "served.db"),
            **overrides,
        )
        db = open_db(settings.digest_db_path)
        client = make_client(slack.token, settings.slack_api_url)
        ctx = Context(settings, db, client, Digester(settings, db, client))
        runner = await start_http(build_app(ctx), 0, "127.0.0.1")
        stack.push_async_callback(runner.cleanup)
        http = await stack.enter_async_context(httpx.AsyncClient(timeout=30))
        return ServedBot(ctx, db, slack, SlackSender(f"http://127.0.0.1:{runner.addresses[0][1]}", http))

    yield serve
    await stack.aclose()


async def eventually(predicate, timeout: float = 30.0) -> None:
    """Poll `predicate` until it is truthy (generous timeout)."""
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.02)
