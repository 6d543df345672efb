"""A full scheduled digest of several repositories while GitHub, the LLM endpoint and Slack misbehave.

Each scenario asserts the same four things: every commit in the window is carded or pending (none lost,
none stored twice), the digest is posted at most once per channel and day, the alert appears exactly once
when it should, and the next fault-free run completes everything that was left pending.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from bot.scheduler import POST_ALERT, PROVIDER_ALERT
from tests.e2e.world import World, record_figure
from tests.fakes.chat import Request

pytestmark = pytest.mark.e2e
COMMIT_DETAIL = r"^/repos/[^/]+/[^/]+/commits/[0-9a-f]{40}$"


def after(n: int, fault: str) -> Callable[[Request], str | None]:
    """A chat fault source that answers normally `n` times, then `fault` for good."""
    seen = [0]

    def source(_: Request) -> str | None:
        seen[0] += 1
        return fault if seen[0] > n else None

    return source


@dataclass
class Scenario:
    """One fault, how to inject it, and what it must leave behind."""

    name: str
    inject: Callable[[World], None]
    alert: str | None = None  # the kind of alert it must raise, once
    posted: bool = True  # whether the first run's digest gets out
    unread: bool = False  # whether a repository may stay unread until the next run
    runs: int = 1  # faulty runs before the fault-free one
    pending: bool = False  # whether the faulty run must leave analyses unfinished


SCENARIOS = [
    Scenario("github 502", lambda w: w.github.add_fault(COMMIT_DETAIL, 502, count=2)),
    Scenario(
        "github secondary rate limit",
        lambda w: w.github.add_fault(
            r"/commits", 429, headers={"Retry-After": "1"}, body={"message": "secondary rate limit"}, count=2
        ),
    ),
    Scenario(
        "github primary rate limit exhausted",
        lambda w: w.github.rate_limited(r"^/repos/org/svc1", reset_in=3600, count=10_000),
        alert=PROVIDER_ALERT,
        unread=True,
        runs=2,
    ),
    Scenario("github slow answers", lambda w: w.github.add_fault(COMMIT_DETAIL, None, delay=0.4, count=6)),
    Scenario("llm 429", lambda w: w.chat_faults.extend(["429"] * 3)),
    Scenario("llm 500", lambda w: w.chat_faults.extend(["500"] * 3)),
    Scenario("llm hang", lambda w: w.chat_faults.extend(["hang"] * 2)),
    Scenario(
        "llm invalid json", lambda w: w.chat_faults.extend(["invalid_json", "invalid_json", "invalid_json"])
    ),
    Scenario("llm cut off", lambda w: w.chat_faults.extend(["length"] * 4)),
    Scenario(
        "llm 401 from the start",
        lambda w: w.chat_faults.append(after(0, "401")),
        alert=PROVIDER_ALERT,
        runs=2,
        pending=True,
    ),
    Scenario(
        "llm 401 in the middle",
        lambda w: w.chat_faults.append(after(3, "401")),
        alert=PROVIDER_ALERT,
        pending=True,
    ),
    Scenario("slack 429 burst", lambda w: w.slack.rate_limit("chat.postMessage", 3)),
    Scenario("slack not_in_channel", lambda w: w.slack.outside.add("C1")),
    Scenario(
        "slack channel_not_found", lambda w: w.slack.missing.add("C1"), alert=POST_ALERT, posted=False, runs=2
    ),
    Scenario(
        "slack 500 on thread replies",
        lambda w: setattr(w.slack, "thread_replies_until_500", 0),
        alert=POST_ALERT,
        runs=2,
    ),
]


def faulted(w: World) -> bool:
    """Whether any of the three services actually answered with an injected fault."""
    return (
        any(f.hits for f in w.github.faults)
        or any(r.fault for r in w.chat.requests)
        or any(c.status != 200 or c.error for c in w.slack.calls)
    )


def populate(w: World) -> None:
    """Three repositories, a dozen commits, two of them important enough for the thread."""
    w.add_commits("org/svc0", 5, hot=1)
    w.add_commits("org/svc1", 4, hot=1)
    w.add_commits("org/svc2", 3)


async def check_scenario(w: World, sc: Scenario) -> None:
    """Run the digest under the fault, then fault-free, asserting the invariants after each run."""
    populate(w)
    sc.inject(w)
    for _ in range(sc.runs):
        outcome = await w.run()
        unread = w.errored_repos() if sc.unread else set()
        counts = w.check_accounted(allow_unlisted=unread)
        if sc.pending:
            assert counts.get("pending"), counts
        w.check_posted_once()
        assert (len(w.digest_parents()) >= 1) == sc.posted, outcome
    assert faulted(w), "the fault was never served"
    for kind in (PROVIDER_ALERT, POST_ALERT):
        w.check_alerts(kind, 1 if kind == sc.alert else 0)
    w.clear_faults()
    outcome = await w.run()
    assert outcome.error is None and not outcome.alerts, outcome
    w.check_complete()
    w.check_posted_once()
    # a repository unreadable at the day's digest is posted, once readable, as that day's follow-up
    assert len(w.digest_parents()) == (2 if sc.unread else 1)
    if sc.unread:
        assert all(sha[:7] in str(w.digest_parents()[1].blocks) for sha in w.window["org/svc1"])
    for kind in (PROVIDER_ALERT, POST_ALERT):
        w.check_alerts(kind, 1 if kind == sc.alert else 0)
        if kind == sc.alert:
            assert w.alerts(kind)[0].text.startswith("✅ Resolved")


@pytest.mark.parametrize("sc", SCENARIOS, ids=[s.name for s in SCENARIOS])
async def test_fault_scenario(world: World, sc: Scenario) -> None:
    await check_scenario(world, sc)
    record_figure(f"fault:{sc.name}", "passed")


def mixed(seed: int) -> Scenario:
    """Several faults of all three services at once, drawn with a fixed seed."""
    rng = random.Random(seed)

    def inject(w: World) -> None:
        w.github.add_fault(COMMIT_DETAIL, 502, count=rng.randint(1, 2))
        w.github.add_fault(r"/commits$", 429, headers={"Retry-After": "1"}, count=1)
        w.github.add_fault(COMMIT_DETAIL, None, delay=0.3, count=rng.randint(2, 4))
        w.chat_faults.extend(
            rng.choice([None, None, "429", "500", "hang", "invalid_json", "length"]) for _ in range(12)
        )
        w.slack.rate_limit("chat.postMessage", rng.randint(1, 2))
        w.slack.outside.add("C1")

    return Scenario(f"mixed (seed {seed})", inject)


async def test_mixed_faults_with_a_fixed_seed(world: World) -> None:
    sc = mixed(5)
    await check_scenario(world, sc)
    assert {r.fault for r in world.chat.requests} - {None}, "no LLM fault was served"
    record_figure(f"fault:{sc.name}", "passed")
