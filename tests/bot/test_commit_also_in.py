"""`/commit <full sha>` over signed HTTP when one SHA is in two watched repositories (a fork and its upstream)."""

from __future__ import annotations

import json

from tests.bot.conftest import ServedBot
from tests.fakes.digests import REPO, SHA, seed_commit
from tests.fakes.slack import validate_blocks
from tests.fakes.slack_inbound import ResponseUrls

FORK = "ada/sglang"


async def test_a_full_sha_in_two_watched_repositories_shows_the_first_and_says_also_in(serve_bot) -> None:
    bot: ServedBot = await serve_bot(digest_repos=f"{REPO},{FORK}")
    seed_commit(bot.db, SHA, "Move fa4 from sgl-kernel to jit kernel (#17353)")
    seed_commit(bot.db, SHA, "Move fa4 in the fork", repo=FORK)
    with ResponseUrls() as responses:
        url = responses.new()
        resp = await bot.send.command("/commit", SHA, url)
        assert resp.status_code == 200
        [body] = await responses.wait(url)
    assert body["response_type"] == "ephemeral" and validate_blocks(body["blocks"]) is None
    dumped = json.dumps(body["blocks"])
    assert "Move fa4 from sgl-kernel to jit kernel" in dumped and "Move fa4 in the fork" not in dumped
    contexts = [e["text"] for b in body["blocks"] if b["type"] == "context" for e in b["elements"]]
    assert f"This commit is also in {FORK}." in contexts
    assert "give more characters" not in json.dumps(body)
