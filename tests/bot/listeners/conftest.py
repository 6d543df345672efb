"""A bot context over a real database and a fake Web API client, for calling listeners directly."""

from __future__ import annotations

import pytest

from bot.runtime import CONTEXT_KEY, Context
from bot.scheduler import Digester
from bot.settings import load_settings
from storage.db import open_db
from tests.fakes.bolt import FakeWebClient, Recorder


@pytest.fixture
def client() -> FakeWebClient:
    return FakeWebClient()


@pytest.fixture
def ctx(tmp_path, client) -> Context:
    settings = load_settings(digest_db_path=str(tmp_path / "d.db"), github_api_url="http://127.0.0.1:9")
    db = open_db(settings.digest_db_path)
    yield Context(settings, db, client, Digester(settings, db, client))
    db.conn.close()


@pytest.fixture
def context(ctx) -> dict:
    """Bolt's per-request context, as the app's middleware fills it."""
    return {CONTEXT_KEY: ctx}


@pytest.fixture
def ack() -> Recorder:
    return Recorder()


@pytest.fixture
def respond() -> Recorder:
    return Recorder()
