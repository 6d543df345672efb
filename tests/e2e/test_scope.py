"""A workspace member can only make the bot read the repositories this workspace watches: no unwatched
repository, no path on the bot's disk, and no path, host or internal detail in any answer."""

from __future__ import annotations

import asyncio
import json
import os
import time

import pytest

from analysis.store import channel_subscriptions as subscription_store
from tests.e2e.world import CHANNEL, SIGNING_SECRET, World, http_bot
from tests.fakes.slack_inbound import signed_headers
from tests.gitrepo import GitRepo

pytestmark = pytest.mark.e2e


def forms(sha: str) -> list[str]:
    """Commit references naming an unwatched repository, or trying to name a path."""
    return [
        f"https://github.com/o/r3/commit/{sha}",
        f"https://github.com/../rt/commit/{sha}",
        f"https://github.com/./rt/commit/{sha}",
        f"https://github.com/../../nonexistent/commit/{sha[:8]}",
        f"https://github.com/.../rt/commit/{sha}",
        f"https://github.com/~/rt/commit/{sha}",
        f"https://github.com/%2e%2e/rt/commit/{sha}",
        f"https://github.com/%2E%2E%2Frt/x/commit/{sha}",
        f"https://github.com//tmp/rt/commit/{sha}",
        f"https://github.com/..\\rt/x/commit/{sha}",
        f"https://github.com/rt\\..\\x/commit/{sha}",
        f"http://127.0.0.1:1/o/r3/commit/{sha}",
        f"https://github.com/o/r3/pull/7/commits/{sha}",
        f"../rt@{sha}",
        f"/tmp/rt/commit/{sha}",
    ]


def no_internals(text: str, *paths: str) -> None:
    """An answer names no path or host of the bot's machine."""
    for p in paths:
        assert p not in text, f"{p} in {text[:300]}"
    assert "Traceback" not in text and "/tmp" not in text and "127.0.0.1" not in text, text[:300]


async def wait_quiet(bot, seconds: float = 0.5) -> None:
    """Let background lookups finish (they answer through response_url or the thread)."""
    deadline = time.monotonic() + 30
    while bot.ctx.tasks and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    await asyncio.sleep(seconds)


async def test_unwatched_repositories_and_paths_are_never_read(world: World) -> None:
    # a git repository next to the bot's working directory, and a GitHub repository nobody watches
    clone = GitRepo(world.tmp / "rt")
    local_sha = clone.commit("Local only", {"a.txt": "secret plans\n"})
    world.github.add_repo("o/r3")
    remote_sha = world.github.add_commit("o/r3", "Unwatched work").sha
    github_before, chat_before = len(world.github.log), len(world.chat.requests)
    answers: list[str] = []

    async with http_bot(world) as bot:
        for sha in (local_sha, remote_sha):
            for text in forms(sha):
                resp, url = await bot.command("/commit", text)
                assert resp.status_code == 200
                answers.append(await bot.answer(resp, url))
                said = (await bot.ctx.client.chat_postMessage(channel=CHANNEL, text="which commit?"))["ts"]
                event = {
                    "type": "app_mention",
                    "user": "U1",
                    "channel": CHANNEL,
                    "ts": said,
                    "text": f"<@UBOT> <{text}>",
                }
                assert (await _mention(bot, event)).status_code == 200
            for value in (f"../rt@{local_sha}", f"o/r3@{remote_sha}", f"/{world.tmp}/rt@{local_sha}"):
                for action in ("share_card", "full_analysis"):
                    url = bot.responses.new()
                    payload = _button(action, value, url)
                    resp = await bot.send.form({"payload": json.dumps(payload)}, secret=SIGNING_SECRET)
                    assert resp.status_code == 200
                    answers.append(json.dumps(await bot.responses.wait(url), ensure_ascii=False))
        await wait_quiet(bot)

    posted = [m.text + json.dumps(m.blocks) for m in world.slack.top_level(CHANNEL)]
    posted += [m.text for p in world.slack.top_level(CHANNEL) for m in world.slack.thread(p.ts)]
    # a bare SHA found in a path-like reference is searched in the watched repositories only
    outside = [r.path for r in world.github.log[github_before:] if not r.path.startswith("/repos/org/svc")]
    assert outside == []
    assert len(world.chat.requests) == chat_before
    everything = "\n".join(answers + posted)
    no_internals(everything, str(world.tmp), os.getcwd(), "secret plans", "Local only", "Unwatched work")
    assert "not watched here" in everything and "/digest subscribe o/r3" in everything
    assert world.analyses() == {}


async def test_a_watched_repository_is_still_looked_up_by_url(world: World) -> None:
    [sha] = world.add_commits("org/svc1", 1)
    async with http_bot(world) as bot:
        resp, url = await bot.command("/commit", f"https://github.com/org/svc1/commit/{sha}")
        answer = await bot.answer(resp, url)
    assert "docs: clarify option 0" in answer
    assert ("org/svc1", sha) in world.analyses()


async def test_a_subscribed_repository_is_watched_and_a_path_cannot_be_subscribed(world: World) -> None:
    world.github.add_repo("o/r4")
    sha = world.github.add_commit("o/r4", "Followed by a channel").sha
    async with http_bot(world) as bot:
        for text in ("../rt", "./rt", "o/..", "../..", "/etc/passwd", "~/x"):
            resp, _ = await bot.command("/digest", f"subscribe {text}")
            assert "is not owner/repo" in resp.text, resp.text
        resp, _ = await bot.command("/digest", "subscribe o/r4")
        assert resp.status_code == 200
        resp, url = await bot.command("/commit", f"https://github.com/o/r4/commit/{sha}")
        answer = await bot.answer(resp, url)
    assert "Followed by a channel" in answer
    assert {s.repo for s in subscription_store.list_subscriptions(world.db)} == set(world.repos) | {"o/r4"}


async def _mention(bot, event: dict):
    """An Events API callback for `event`, signed with the world's secret."""
    body = json.dumps(
        {
            "type": "event_callback",
            "team_id": "T1",
            "api_app_id": "A1",
            "event_id": f"Ev{time.monotonic_ns()}",
            "event": event,
        }
    )
    headers = signed_headers(body, secret=SIGNING_SECRET, content_type="application/json")
    return await bot.send.http.post(bot.send.url, content=body, headers=headers)


def _button(action_id: str, value: str, response_url: str) -> dict:
    return {
        "type": "block_actions",
        "user": {"id": "U1", "username": "ada", "team_id": "T1"},
        "api_app_id": "A1",
        "team": {"id": "T1", "domain": "test"},
        "channel": {"id": CHANNEL, "name": "eng"},
        "container": {"type": "message", "channel_id": CHANNEL, "message_ts": None, "is_ephemeral": True},
        "trigger_id": "1.2.3",
        "response_url": response_url,
        "actions": [
            {"type": "button", "action_id": action_id, "block_id": "b", "value": value, "action_ts": "1.1"}
        ],
    }
