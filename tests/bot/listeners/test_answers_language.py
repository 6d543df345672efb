"""The answers of buttons and mentions speak the digest's language."""

from __future__ import annotations

import pytest

from bot.listeners.actions.buttons import full_analysis
from bot.listeners.actions.home import home_help
from bot.listeners.actions.unfurl import unfurl_full_analysis
from bot.listeners.events.app_mention import app_mention
from bot.runtime import CONTEXT_KEY, Context
from bot.scheduler import Digester
from bot.settings import load_settings
from storage.db import open_db
from tests.chinese import english_words
from tests.fakes.digests import REPO, SHA

LINK_TS = "1769250000.000300"


@pytest.fixture
def zh_context(tmp_path, client) -> dict:
    settings = load_settings(
        digest_db_path=str(tmp_path / "d.db"), github_api_url="http://127.0.0.1:9", digest_language="zh"
    )
    db = open_db(settings.digest_db_path)
    yield {CONTEXT_KEY: Context(settings, db, client, Digester(settings, db, client))}
    db.conn.close()


def pressed(action_id: str, value: str) -> dict:
    body = {"user": {"id": "U1"}, "actions": [{"action_id": action_id, "value": value}]}
    return body | {"container": {"type": "message", "channel_id": "C1", "message_ts": LINK_TS}}


async def test_a_mention_without_a_reference_is_answered_in_chinese(zh_context, client) -> None:
    event = {"type": "app_mention", "channel": "C1", "user": "U1", "text": "<@UBOT> 你好", "ts": LINK_TS}
    await app_mention(event, client, zh_context)
    [post] = client.calls_to("chat_postMessage")
    assert "提交" in post["text"] and english_words(post["text"], []) == set()


async def test_buttons_for_a_forgotten_commit_answer_in_chinese(ack, respond, zh_context, client) -> None:
    await full_analysis(ack, pressed("full_analysis", f"{REPO}@{SHA}"), client, respond, zh_context)
    await unfurl_full_analysis(
        ack, pressed("unfurl_full_analysis", f"{REPO}@{SHA}"), client, respond, zh_context
    )
    assert len(respond.texts) == 2
    assert all("缓存" in text and english_words(text, []) == set() for text in respond.texts)


async def test_the_home_tabs_help_is_in_chinese(ack, zh_context, client) -> None:
    await home_help(ack, {"user": {"id": "U1"}, "actions": [{"value": "help"}]}, client, zh_context)
    [post] = client.calls_to("chat_postMessage")
    assert "关注" in post["text"]
