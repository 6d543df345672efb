"""How many requests may be in flight at once, learned from what the endpoint really runs in parallel.

An endpoint not met before starts where its published slots or a first burst of tiny requests put it
(analysis/llm/parallel.py), at one until then. While not settled, the limit doubles while the work done per
second of busy time grows with it, and settles at the last level that paid off: a server that queues
requests (one computing, the rest waiting) settles at 1 with no request left waiting long. 429s halve
the limit, a timed-out request drops it to 1 for the rest of the run. A level is not doubled when its
slowest request took over a third of the timeout: on a server that queues, two such requests in a row
would time out.
"""

from __future__ import annotations

import asyncio
import time

_GAIN = 1.5  # a level is kept when it does this much more work per busy second than the one before
_COMPLETION_WEIGHT = 4  # a generated token costs about as much as this many prompt tokens


class AdaptiveLimiter:
    """At most `limit` holders; the limit is probed upwards on an unknown endpoint and lowered on trouble."""

    def __init__(self, ceiling: int, start: int | None = None, timeout: float | None = None):
        self.ceiling = max(1, ceiling)
        known = start is not None
        self.limit = min(self.ceiling, max(1, start)) if known else 1
        self.lowest = self.limit
        self.settled = known or self.ceiling == 1  # False while probing for the endpoint's parallelism
        self.probed = False  # True once probing found the endpoint's parallelism in this run
        self.in_flight = self.peak = self.throttled = self.timeouts = self.acquired = 0
        self._cond = asyncio.Condition()
        self._busy = 0.0  # seconds with at least one request in flight
        self._busy_since = 0.0
        self._level_start = 0.0  # busy clock when the current probing level began
        self._level_work = 0.0
        self._level_done = 0
        self._previous = 0  # the level probed before this one
        self._previous_rate = 0.0  # its work per busy second
        self._streak = 0
        self._slowest = 0.0  # seconds, the slowest answer at the current probing level
        self._timeout = timeout

    def start_at(self, level: int, settled: bool) -> None:
        """Begin at `level` (found at first contact); probing upwards goes on from there unless `settled`."""
        if self.in_flight or self.acquired:
            return  # requests already went out at the level they found
        self.limit = self.lowest = min(self.ceiling, max(1, level))
        self.settled = settled or self.limit >= self.ceiling
        self.probed = self.settled

    def _busy_clock(self) -> float:
        extra = time.monotonic() - self._busy_since if self.in_flight else 0.0
        return self._busy + extra

    async def acquire(self) -> None:
        """Wait for a free slot and take it."""
        async with self._cond:
            await self._cond.wait_for(lambda: self.in_flight < self.limit)
            if self.in_flight == 0:
                self._busy_since = time.monotonic()
            self.in_flight += 1
            self.acquired += 1
            self.peak = max(self.peak, self.in_flight)

    async def release(
        self, outcome: str, prompt_tokens: int = 0, completion_tokens: int = 0, seconds: float = 0.0
    ) -> None:
        """Give a slot back; `outcome` is "ok", "throttled", "timeout" or "error"; tokens and time of an answer."""
        async with self._cond:
            self.in_flight -= 1
            if self.in_flight == 0:
                self._busy += time.monotonic() - self._busy_since
            if outcome == "throttled":
                self.throttled += 1
                self._lower(max(1, self.limit // 2))
            elif outcome == "timeout":
                self.timeouts += 1
                self._lower(1)
            elif outcome == "ok":
                self._succeeded(prompt_tokens + _COMPLETION_WEIGHT * completion_tokens, seconds)
            self._cond.notify_all()

    def _lower(self, limit: int) -> None:
        self.limit = limit
        self.lowest = min(self.lowest, limit)
        self.settled = True
        self._streak = 0

    def _succeeded(self, work: float, seconds: float) -> None:
        if self.settled:
            if self.limit < self.ceiling and self.throttled and not self.timeouts:
                self._streak += 1  # after throttling, grow back by one per `limit` successes
                if self._streak >= self.limit:
                    self.limit += 1
                    self._streak = 0
            return
        self._level_work += work
        self._level_done += 1
        self._slowest = max(self._slowest, seconds)
        if self._level_done < max(2, self.limit):
            return
        elapsed = self._busy_clock() - self._level_start
        rate = self._level_work / elapsed if elapsed > 0 else float("inf")
        if self._previous and rate < self._previous_rate * _GAIN:
            self.limit = self._previous  # no gain: the endpoint runs no more than this at once
            self.settled = self.probed = True
            return
        slow = self._timeout is not None and self._slowest * 3 > self._timeout
        if self.limit >= self.ceiling or slow:
            self.settled = self.probed = True
            return
        self._previous, self._previous_rate = self.limit, rate
        self.limit = min(self.ceiling, self.limit * 2)
        self._level_start, self._level_work, self._level_done = self._busy_clock(), 0.0, 0
        self._slowest = 0.0
