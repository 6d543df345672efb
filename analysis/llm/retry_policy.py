"""When a completion is asked again: transient faults with backoff (or the server's Retry-After), a malformed
answer once, and never past a pause longer than the run waits."""

from __future__ import annotations

import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import openai
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception, stop_after_attempt

from analysis.llm import answers
from analysis.llm.failures import GaveUp
from analysis.llm.parse import MalformedAnswer

TRIES = 4  # requests per call while the endpoint answers 429, 5xx or times out
MALFORMED_TRIES = 2  # an answer that is not a completion is asked again once


@dataclass
class RetryPolicy:
    """Backoff doubling from `backoff` seconds, each wait at most `max_wait`."""

    backoff: float
    max_wait: float

    def _stop(self, state: RetryCallState) -> bool:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, MalformedAnswer):
            return state.attempt_number >= MALFORMED_TRIES
        told = answers.retry_after(exc) > self.max_wait  # a pause longer than this run waits
        return told or state.attempt_number >= TRIES

    def _wait(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, openai.APITimeoutError):
            return 0.0  # the drain before the next request is the wait
        backoff = self.backoff * 2 ** (state.attempt_number - 1) * random.uniform(0.5, 1.5)
        return min(self.max_wait, max(answers.retry_after(exc), backoff))

    async def run(self, call: Callable[[], Awaitable[answers.Reply]]) -> answers.Reply:
        """The call's result, asked again while this policy allows; GaveUp after repeated malformed answers."""
        retrying = AsyncRetrying(
            retry=retry_if_exception(lambda e: answers.transient(e) or isinstance(e, MalformedAnswer)),
            stop=stop_after_attempt(TRIES) | self._stop,
            wait=self._wait,
            reraise=True,
        )
        try:
            async for attempt in retrying:
                with attempt:
                    return await call()
        except MalformedAnswer as e:
            raise GaveUp(f"LLM endpoint answered badly: {e}") from None
        raise AssertionError("unreachable")  # AsyncRetrying either returns or re-raises
