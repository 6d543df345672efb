"""A Chinese digest has no English left but code, names and product terms: terminal, Markdown, Slack, answers."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from analysis.config import PipelineConfig
from analysis.lookup import lookup_cached
from analysis.pipeline import run_digest
from analysis.report import render_card_text, render_markdown, render_text
from bot.listeners.commands.commit import commit_command
from bot.listeners.commands.digest import digest_command
from bot.runtime import Context
from bot.scheduler import Digester
from bot.settings import load_settings
from bot.slack.blocks import card_ephemeral_blocks, digest_messages
from storage.db import open_db
from tests.chinese import english_words
from tests.fakes.bolt import FakeWebClient, Recorder
from tests.gitrepo import GitRepo

DAY = dt.date(2026, 1, 24)
AUTHOR = ("Wei Zhang", "wei@example.com")


def _texts(value: object) -> list[str]:
    """Every "text" string in a Block Kit structure."""
    if isinstance(value, dict):
        return [v for k, v in value.items() if k == "text" and isinstance(v, str)] + [
            t for v in value.values() for t in _texts(v)
        ]
    if isinstance(value, list):
        return [t for v in value for t in _texts(v)]
    return []


def _clone(tmp_path) -> GitRepo:
    repo = GitRepo(tmp_path / "upstream")
    repo.commit("初始化", {"README.md": "说明\n"}, date="2026-01-20T08:00:00+00:00", author=AUTHOR)
    big = "".join(f"def step_{i}(x):\n    return x + {i}\n" for i in range(200))
    repo.commit(
        "feat: 新增专家并行调度器 (#12)\n\n调度器把请求分配到各个专家上。它替换了旧的轮询实现，吞吐更高。\n",
        {"src/dispatch/core.py": big, "src/dispatch/util.py": big},
        date="2026-01-24T03:00:00+00:00",
        author=AUTHOR,
    )
    repo.commit(
        "fix: 修复缓存泄漏", {"src/cache.py": "x = 1\n"}, date="2026-01-24T04:00:00+00:00", author=AUTHOR
    )
    repo.commit(
        "更新持续集成配置",
        {".github/workflows/ci.yml": "on: push\n"},
        date="2026-01-24T05:00:00+00:00",
        author=AUTHOR,
    )
    repo.commit("删除旧文档", {"docs/guide.md": "旧\n"}, date="2026-01-24T06:00:00+00:00", author=AUTHOR)
    return repo


@pytest.fixture
async def zh_digest(tmp_path):
    repo = _clone(tmp_path)
    db = open_db(tmp_path / "zh.db")
    cfg = PipelineConfig(repos=[str(repo.path)], timezone="Asia/Shanghai", language="zh")
    digest = await run_digest(db, cfg, day=DAY)
    assert digest.repos[0].error is None and len(digest.repos[0].entries) == 4
    yield db, digest
    db.conn.close()


def _check(text: str) -> None:
    # commit data: the author, the clone's name and branch, the commits' conventional prefixes, a directory
    assert english_words(text, [AUTHOR[0], "upstream", "main", "feat", "fix", "src"]) == set(), text


async def test_terminal_markdown_and_slack_digests_are_chinese(zh_digest):
    _, digest = zh_digest
    _check(render_text(digest))
    _check(render_markdown(digest))
    for message in digest_messages(digest):
        _check("\n".join([message.text, *_texts(message.blocks)]))
    for entry in digest.repos[0].entries:
        _check(render_card_text(entry, "zh", "Asia/Shanghai"))
        card = card_ephemeral_blocks(entry, language="zh")
        _check("\n".join([card.text, *_texts(card.blocks)]))
        assert all(english_words(r, ["feat", "fix"]) == set() for r in entry.analysis.reasons)


async def test_heuristic_cards_speak_chinese(zh_digest):
    _, digest = zh_digest
    text = render_text(digest)
    assert "变更摘要" in render_markdown(digest) and "摘要**" not in render_markdown(digest).replace(
        "变更摘要**", ""
    )
    assert "个文件" in render_markdown(digest) and "评分依据" in text


@pytest.fixture
def zh_ctx(tmp_path):
    settings = load_settings(
        digest_db_path=str(tmp_path / "d.db"), github_api_url="http://127.0.0.1:9", digest_language="zh"
    )
    db = open_db(settings.digest_db_path)
    client = FakeWebClient()
    yield Context(settings, db, client, Digester(settings, db, client))
    db.conn.close()


@pytest.mark.parametrize(
    "text",
    [
        "",
        "help",
        "list",
        "run",
        "subscribe o/r min=medium",
        "list",
        "subscribe not-a-repo",
        "subscribe o/r min=huge",
        "subscribe o/r colour=red",
        "subscribe o/r paths",
        'subscribe "o/r',
        "unsubscribe",
        "unsubscribe o/r",
        "unsubscribe o/other",
        "frobnicate",
        "status",
    ],
)
async def test_digest_answers_are_chinese(zh_ctx, text):
    ack, respond = Recorder(), Recorder()
    command = {"command": "/digest", "text": text, "channel_id": "C1", "user_id": "U1"}
    if text == "list":
        await digest_command(
            Recorder(), {**command, "text": "subscribe o/r"}, respond, {"digest_ctx": zh_ctx}
        )
    await digest_command(ack, command, respond, {"digest_ctx": zh_ctx})
    for answer in ack.texts + respond.texts:
        _check(answer)


@pytest.mark.parametrize("text", ["", "xyz", "abc", "0000000", "https://github.com/o/r/commit/0000000"])
async def test_commit_answers_are_chinese(zh_ctx, text):
    ack, respond = Recorder(), Recorder()
    command = {"command": "/commit", "text": text, "channel_id": "C1", "user_id": "U1"}
    await commit_command(ack, command, respond, {"digest_ctx": zh_ctx})
    assert ack.texts + respond.texts
    for answer in ack.texts + respond.texts:
        _check(answer)


async def test_a_found_commit_is_answered_in_chinese(zh_digest, tmp_path):
    db, digest = zh_digest
    sha = digest.repos[0].entries[0].commit.sha
    found = lookup_cached(db, sha[:10])
    card = card_ephemeral_blocks(found.entry, language="zh")
    _check(json.dumps(_texts(card.blocks), ensure_ascii=False))
