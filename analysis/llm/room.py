"""What fits the endpoint: its context window, its token count against the estimate, and its speed."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from analysis.llm import context
from analysis.llm.memory import Learned
from analysis.llm.speed import Speed

_IN_TIME = 0.75  # an answer is limited to what the endpoint writes in this share of the timeout
MIN_ANSWER = 128  # below this many tokens of room for the answer, the prompt is too long


class Room:
    """Prompt budgets and answer limits for one endpoint and model, from what it published or said."""

    def __init__(self, learned: Learned, timeout: float, record: Callable[[Learned], None]):
        self.window = learned.context_tokens  # None: not looked for yet; 0: the endpoint publishes none
        self.ratio = learned.token_ratio  # the endpoint's token count over the estimate
        # answers held to a format and free ones are timed apart: a grammar can cost the server more than the
        # tokens themselves (llama-cpp-python's took twice the time a token of plain notes did)
        self.speeds = {True: Speed(), False: Speed()}
        self.slots: int | None = None  # parallel slots the server published while its window was read
        self._timeout = timeout
        self._record = record
        self._lock = asyncio.Lock()

    def _scale(self) -> float:
        return max(1.0, self.ratio or 1.0)

    def budget(self, configured: int, answer: int) -> int:
        """Estimated prompt tokens a prompt may use, leaving `answer` tokens (at most half the window)."""
        if self.window:
            answer = min(answer, self.window // 2)
        return context.prompt_budget(configured, self.window, answer, self.ratio)

    def answer(self, estimate: int, wanted: int, held: bool = False) -> int:
        """The answer's token limit: within the window, and short enough to finish before the timeout (`held`: an
        answer held to a format, timed by those answers once measured)."""
        room = context.answer_room(self.window, estimate, self.ratio, wanted)
        prompt, within = int(estimate * self._scale()), _IN_TIME * self._timeout
        in_time = self.speeds[held].max_answer(prompt, within)
        if in_time is None:
            in_time = self.speeds[not held].max_answer(prompt, within)
        return room if in_time is None else min(room, max(in_time, MIN_ANSWER))

    def timed_out(self, estimate: int, max_tokens: int, held: bool) -> None:
        """Count a request of `estimate` prompt tokens that asked `max_tokens` and was not answered in time."""
        self.speeds[held].timed_out(int(estimate * self._scale()), max_tokens, self._timeout)

    def fits(self, estimate: int, max_tokens: int) -> bool:
        """Whether a prompt of `estimate` tokens and its answer fit the window as known now."""
        room = context.answer_room(self.window, estimate, self.ratio, max_tokens)
        return room >= min(MIN_ANSWER, max_tokens)

    async def discover(self, base_url: str, model: str, api_key: str) -> None:
        """Read the context window the endpoint publishes, once per endpoint and model."""
        if self.window is not None:
            return
        async with self._lock:
            if self.window is None:
                found, self.slots = await context.discover(base_url, model, api_key, self._timeout)
                self.window = found or 0
                self._record(Learned(context_tokens=self.window))

    def learn_from_refusal(self, message: str, sent: int) -> bool:
        """Learn the window (and the token ratio) from a context-length refusal; False when it gives no number."""
        window, counted = context.from_error(message)
        if not window:
            return False
        ratio = counted / sent * 1.05 if counted and sent else 1.0
        self.window, self.ratio = window, max(1.0, ratio, self.ratio or 1.0)
        self._record(Learned(context_tokens=window, token_ratio=self.ratio))
        return True
