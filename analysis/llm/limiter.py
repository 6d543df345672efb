"""How many requests may be in flight at once, adapting to what the endpoint tolerates."""

from __future__ import annotations

import asyncio


class AdaptiveLimiter:
    """At most `limit` holders; the limit halves on throttling and grows back by one after successes."""

    def __init__(self, ceiling: int):
        self.ceiling = self.limit = self.lowest = max(1, ceiling)
        self.in_flight = self.peak = 0
        self._streak = 0
        self._cond = asyncio.Condition()

    async def acquire(self) -> None:
        """Wait for a free slot and take it."""
        async with self._cond:
            await self._cond.wait_for(lambda: self.in_flight < self.limit)
            self.in_flight += 1
            self.peak = max(self.peak, self.in_flight)

    async def release(self, outcome: str) -> None:
        """Give a slot back; `outcome` is "ok", "throttled" or "error"."""
        async with self._cond:
            self.in_flight -= 1
            if outcome == "throttled":
                self.limit = max(1, self.limit // 2)
                self.lowest = min(self.lowest, self.limit)
                self._streak = 0
            elif outcome == "ok" and self.limit < self.ceiling:
                self._streak += 1
                if self._streak >= self.limit:
                    self.limit += 1
                    self._streak = 0
            self._cond.notify_all()
