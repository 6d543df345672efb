"""/commit and /digest with hundreds of generated inputs, and commits crafted to mention people or break
formatting: every answer is a clear message, nothing reaches Slack or the log as a traceback or a mention."""

from __future__ import annotations

import logging
import random
from datetime import UTC, datetime, timedelta

import pytest

from tests.e2e.world import World, http_bot, record_figure, scale
from tests.fakes.github import FakeFile
from tests.fakes.slack import MENTION

pytestmark = pytest.mark.e2e
HEX = "0123456789abcdef"
NASTY = [
    "'; DROP TABLE commits; --",
    '" OR 1=1 --',
    "*bold* _it_ ~st~ `code` ```block```",
    "<!channel>",
    "<!here|here>",
    "<@U024BE7LH>",
    "<!subteam^S123>",
    "@channel @here @everyone",
    "<https://evil.example|click>",
    "&lt;&gt;&amp; <> &",
    "\u202eevil\u202c",
    "😀🔥 提交 コミット",
    "\x00\x07\x1b[31m",
    "%s %d {0} {}",
    "../../../etc/passwd",
]
HOSTS = [
    "https://gitlab.com",
    "https://evil.example",
    "http://127.0.0.1:1",
    "ftp://github.com",
    "https://github.com.evil.example",
]


def commit_inputs(rng: random.Random, n: int) -> list[str]:
    """Generated /commit arguments of every troublesome kind."""
    kinds = [
        lambda: "",
        lambda: rng.choice([" ", "\t", "\n", "  \n\t "]),
        lambda: "".join(rng.choices(HEX, k=41)),
        lambda: "".join(rng.choices(HEX, k=rng.randint(1, 6))),
        lambda: "".join(rng.choices(HEX, k=rng.randint(7, 40))),
        lambda: "".join(rng.choices("ghijklmnopqrstuvwxyz!?", k=rng.randint(7, 40))),
        lambda: rng.choice(NASTY),
        lambda: rng.choice(NASTY) + " " + "".join(rng.choices(HEX, k=12)),
        lambda: "f" * rng.randint(65, 5000),
        lambda: "x" * rng.randint(500, 3000),
        lambda: f"{rng.choice(HOSTS)}/o/r/commit/{''.join(rng.choices(HEX, k=40))}",
        lambda: f"https://github.com/org/svc0/commit/{rng.choice(NASTY)}",
        lambda: "".join(chr(rng.randint(0x80, 0x2FFF)) for _ in range(rng.randint(1, 50))),
    ]
    return [kinds[i % len(kinds)]() for i in range(n)]


def digest_inputs(rng: random.Random, n: int) -> list[str]:
    """Generated /digest arguments: known and unknown subcommands with troublesome arguments."""
    subs = ["subscribe", "unsubscribe", "list", "status", "help", "SUBSCRIBE", "frobnicate", ""]
    args = [
        "",
        "org/svc0",
        "not-a-repo",
        "a/b/c",
        '"unterminated',
        "min=urgent",
        "paths=",
        'exclude-titles="[Auto Sync]"',
        "x" * 3000,
        *NASTY,
    ]
    return [f"{rng.choice(subs)} {rng.choice(args)} {rng.choice(args)}".strip() for _ in range(n)]


def check_answer(text: str) -> None:
    """A clear message: not empty, no traceback, no mention."""
    assert text.strip(), "an empty answer"
    assert "Traceback" not in text and 'File "' not in text, text[:300]
    assert MENTION.search(text) is None, text[:300]


def no_tracebacks(caplog: pytest.LogCaptureFixture) -> None:
    """No log record carries an exception."""
    bad = [r for r in caplog.records if r.exc_info or "Traceback" in r.getMessage()]
    assert not bad, [f"{r.name}: {r.getMessage()[:200]}" for r in bad[:5]]


async def test_commit_and_digest_with_generated_inputs(world: World, caplog) -> None:
    caplog.set_level(logging.INFO)
    world.add_commits("org/svc0", 3)
    await world.run()
    rng = random.Random(3)
    handled = 0
    async with http_bot(world) as bot:
        for text in commit_inputs(rng, scale(40, 300)):
            resp, url = await bot.command("/commit", text)
            assert resp.status_code == 200, (text[:80], resp.status_code)
            check_answer(await bot.answer(resp, url))
            handled += 1
        for text in digest_inputs(rng, scale(40, 300)):
            resp, url = await bot.command("/digest", text, channel="CFUZZ")
            assert resp.status_code == 200, (text[:80], resp.status_code)
            check_answer(resp.text)
            handled += 1
    no_tracebacks(caplog)
    world.slack.assert_no_mentions()
    record_figure("bad inputs handled", f"{handled}/{handled}")


CRAFTED = [
    ("<!channel> deploy now <@U024BE7LH> cc @here", "<!everyone>", "src/@channel/<!here>.py"),
    ("*bold* `tick` ```fence``` ~strike~ <https://evil.example|login>", "@here", "docs/*_~`.md"),
    ("fix: <!subteam^S1|@team> & <> &amp;", "Eve <@W1>", "a/<b>|c.py"),
    ("feat: " + "\u202e" + "reversed @everyone", "  \n", "x" * 300 + ".py"),
]


async def test_crafted_commits_never_mention_or_break_formatting(world: World, caplog) -> None:
    caplog.set_level(logging.INFO)
    shas = []
    for message, author, path in CRAFTED:
        c = world.github.add_commit(
            "org/svc0",
            message + "\n\n<!channel> body line",
            author_name=author,
            committed_at=datetime.now(UTC) - timedelta(hours=2),
            files=[FakeFile(path, additions=400), FakeFile("python/sglang/srt/server.py", additions=400)],
        )
        shas.append(c.sha)
    world.window["org/svc0"] = shas
    outcome = await world.run()
    assert outcome.posted and outcome.error is None, outcome
    world.check_complete()
    world.check_posted_once()
    async with http_bot(world) as bot:
        for sha in shas:
            resp, url = await bot.command("/commit", sha[:10])
            answer = await bot.answer(resp, url)
            check_answer(answer)
            assert sha[:7] in answer
    world.slack.assert_no_mentions()
    no_tracebacks(caplog)
