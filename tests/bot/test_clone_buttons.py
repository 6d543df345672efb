"""A local clone is named by its shown name outside the machine: in Slack button values and in LLM prompts."""

from __future__ import annotations

import datetime as dt
import json

from analysis.config import PipelineConfig
from analysis.pipeline import run_digest
from bot.slack.delivery import post_digest
from tests.analysis.llm_support import config as llm_config
from tests.bot.conftest import eventually
from tests.bot.test_app import button
from tests.fakes.chat import ChatServer
from tests.fakes.slack_inbound import ResponseUrls
from tests.gitrepo import GitRepo

DAY = dt.date(2026, 1, 24)


def _buttons(blocks: list[dict]) -> list[tuple[str, str]]:
    found = []
    for b in blocks:
        elements = b.get("elements", []) if b.get("type") == "actions" else [b.get("accessory") or {}]
        found += [(e["action_id"], e["value"]) for e in elements if e.get("type") == "button"]
    return found


async def test_a_clone_path_is_in_no_button_nor_prompt_and_its_button_still_finds_the_card(
    tmp_path, serve_bot
) -> None:
    clone = GitRepo(tmp_path / "secret-home" / "proj")
    clone.commit("Initial import", {"README.md": "hello\n"}, date="2026-01-24T01:00:00+00:00")
    sha = clone.commit(
        "Rewrite the scheduler core", {"src/core.py": "x = 2\n" * 50}, date="2026-01-24T03:00:00+00:00"
    )
    path = str(clone.path.resolve())
    bot = await serve_bot(digest_repos=path, digest_channel="C1")
    with ChatServer(overrule="high") as chat:
        cfg = PipelineConfig(repos=[path], llm=llm_config(chat))
        digest = await run_digest(bot.db, cfg, day=DAY)
        assert digest.repos[0].error is None and len(digest.repos[0].entries) == 2
        prompts = [r.user_text for r in chat.requests]
    assert prompts and all(path not in p and "secret-home" not in p for p in prompts)
    assert any(f"proj@{sha}" in p for p in prompts)

    result = await post_digest(bot.ctx.client, bot.db, digest, "C1", pause=0, thread_level="medium")
    posted = bot.slack.top_level("C1")
    values = [v for m in posted for _, v in _buttons(m.blocks)]
    assert f"proj@{sha}" in values and "secret-home" not in json.dumps([m.blocks for m in posted])

    other = (await bot.ctx.client.chat_postMessage(channel="C1", text="an older digest"))["ts"]
    with ResponseUrls() as responses:
        url = responses.new()
        await bot.send.action(button("full_analysis", f"proj@{sha}", other, url))
        [body] = await responses.wait(url)
    assert "no longer in the cache" not in body["text"]
    await eventually(lambda: bot.slack.thread(other))
    [reply] = bot.slack.thread(other)
    assert "Rewrite the scheduler core" in json.dumps(reply.blocks) and "secret-home" not in json.dumps(
        reply.blocks
    )
    assert result.status == "posted"
