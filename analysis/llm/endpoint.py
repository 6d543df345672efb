"""How to ask the chat endpoint: structured-output modes, context window, retries, concurrency, deadline."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import openai
from openai import AsyncOpenAI

from analysis.config import LLMConfig
from analysis.llm import answers, parallel, prompts
from analysis.llm.failures import (
    ContextTooLong,
    Failed,
    FormatRejected,
    GaveUp,
    LimitParamRejected,
    Stopped,
    StopReason,
)
from analysis.llm.framing import Messages, estimate
from analysis.llm.limiter import AdaptiveLimiter
from analysis.llm.memory import EndpointMemory, Learned, RunMemory, endpoint_key
from analysis.llm.parse import MalformedAnswer
from analysis.llm.retry_policy import RetryPolicy
from analysis.llm.room import MIN_ANSWER, Room
from analysis.models import Usage
from analysis.tokens import estimate_tokens

MODES = ["json_schema", "json_object_schema", "json_object", "text"]
_DRAIN_TRIES = 2  # tiny requests, each timing out, after which the endpoint is unresponsive
_UNUSABLE_AFTER = 8  # answers that are not completions, with none that is, after which the run stops calling

Builder = Callable[[str, bool], Messages]  # (mode, terse) -> messages


class Endpoint:
    """One chat-completions endpoint and model, as this run (and earlier ones) learned to talk to it."""

    def __init__(
        self,
        cfg: LLMConfig,
        *,
        memory: EndpointMemory | None = None,
        backoff: float = 1.0,
        max_wait: float = 60.0,
        max_calls: int,
    ):
        self.cfg = cfg
        self.client = AsyncOpenAI(
            api_key=cfg.api_key or "unset", base_url=cfg.base_url, timeout=cfg.timeout, max_retries=0
        )
        self.url = endpoint_key(str(self.client.base_url))
        self.memory = memory or RunMemory()
        learned = self.memory.recall(self.url, cfg.model)
        self.mode = learned.mode if learned.mode in MODES else MODES[0]
        self.limiter = AdaptiveLimiter(cfg.concurrency, learned.concurrency, cfg.timeout)
        self._contacted = self.limiter.settled  # known parallelism (or a ceiling of 1): nothing to measure
        self._contact_lock = asyncio.Lock()
        self.probe_calls = 0  # tiny requests of the first-contact burst, counted apart from any commit
        self.room = Room(learned, cfg.timeout, self._record)
        self.deadline = time.monotonic() + cfg.deadline if cfg.deadline else None
        self.stop: StopReason | None = None
        self.auth_status = 0
        self.unusable = ""  # why the endpoint's answers could not be used, once it is stopped for that
        self.timeouts = 0
        self.template_marker: str | None = None  # a chat template's marker an answer held, once one did
        self._limit_param = "max_tokens"  # newer OpenAI models accept only max_completion_tokens
        self._backoff, self._max_wait, self._max_calls = backoff, max_wait, max_calls
        self._drain = False  # a request was abandoned: let the endpoint finish it before the next
        self._drain_lock = asyncio.Lock()
        self._answered = self._malformed = 0

    async def aclose(self) -> None:
        """Keep what was learned about the endpoint's parallelism and close the HTTP client.

        A level the server published is its own word: a timeout lowers this run's level, not the next run's."""
        if self.limiter.probed and not (self.room.slots and self.limiter.timeouts):
            self._record(Learned(concurrency=self.limiter.limit))
        await self.client.close()

    def _record(self, learned: Learned) -> None:
        self.memory.record(self.url, self.cfg.model, learned)

    def _halt(self, reason: StopReason) -> Stopped:
        self.stop = self.stop or reason
        return Stopped(self.stop)

    def remaining(self) -> float | None:
        """Seconds left before the run's deadline for LLM work; None without a deadline."""
        return None if self.deadline is None else self.deadline - time.monotonic()

    def budget(self, configured: int, answer: int) -> int:
        """Estimated prompt tokens a card prompt may use, leaving `answer` tokens for the answer."""
        return self.room.budget(configured, answer)

    async def learn_window(self) -> None:
        """Read the context window the endpoint publishes, once per endpoint and model, and meet the endpoint
        (its parallelism) if this run has not yet."""
        await self._first_contact()
        await self._discover()

    async def _discover(self) -> None:
        await self.room.discover(str(self.client.base_url), self.cfg.model, self.cfg.api_key)

    async def complete(
        self,
        build: Builder,
        max_tokens: int,
        terse: bool,
        usage: Usage,
        *,
        structured: bool = True,
        schema: tuple[str, dict] | None = None,
    ) -> answers.Reply:
        """One answer, stepping down the structured-output modes and token parameter the endpoint refuses.

        `schema` is (name, JSON schema) of the answer; the card's when None.
        """
        await self._first_contact()
        for _ in range(len(MODES) + 2):
            mode = self.mode
            shape = {"name": schema[0], "schema": schema[1]} if schema else {}
            response_format = prompts.response_format(mode, **shape) if structured else None
            messages = build(mode, terse)
            room = self.room.answer(estimate(messages), max_tokens, response_format is not None)
            if room < min(MIN_ANSWER, max_tokens):
                raise ContextTooLong(learned=False)  # the server would refuse it: not sent
            try:
                return await self._request(
                    messages, room, response_format, usage, mode if structured else None
                )
            except FormatRejected:
                if mode == self.mode and mode != MODES[-1]:
                    self.mode = MODES[MODES.index(mode) + 1]
                    self._record(Learned(mode=self.mode))
            except LimitParamRejected:
                self._limit_param = "max_completion_tokens"
        raise Failed("the endpoint rejected every request format")

    async def _first_contact(self) -> None:
        """Before the first real request: how many the endpoint runs at once, published or measured.

        A burst of tiny requests goes out while the published facts are read, one round trip in all; the
        published slots win when there are some. Every tiny request is awaited."""
        if self._contacted:
            return
        async with self._contact_lock:
            if self._contacted or self.stop:
                return
            wide = min(parallel.BURST, self.limiter.ceiling)
            burst = asyncio.ensure_future(self._burst(wide)) if wide > 1 else None
            await self._discover()
            found = await burst if burst is not None else None  # None: one at a time by configuration
            if self.room.slots:
                self.limiter.start_at(self.room.slots, settled=True)
            elif found is not None:
                self.limiter.start_at(*parallel.level(found, self.limiter.ceiling))
            if self.limiter.settled and (found is not None or self.room.slots):
                self._record(Learned(concurrency=self.limiter.limit))
            self._contacted = True

    async def _burst(self, n: int) -> parallel.Burst:
        found = await parallel.burst(self.client, self.cfg.model, self._limit_param, n, self._timeout()[0])
        self.probe_calls += found.calls
        self._drain = self._drain or found.timed_out  # a serial server still computes it: wait for it
        return found

    async def _request(
        self,
        messages: Messages,
        max_tokens: int,
        response_format: dict | None,
        usage: Usage,
        mode: str | None,
    ) -> answers.Reply:
        """One completion, retrying transient errors with backoff."""
        policy = RetryPolicy(self._backoff, self._max_wait)
        return await policy.run(lambda: self._once(messages, max_tokens, response_format, usage, mode))

    def _timeout(self) -> tuple[float, bool]:
        """The timeout of the next request, and whether it is the run's deadline rather than the setting."""
        left = self.remaining()
        if left is not None and left < self.cfg.timeout:
            return max(0.0, left), True
        return self.cfg.timeout, False

    async def _acquire(self) -> None:
        if self.stop:
            raise Stopped(self.stop)
        left = self.remaining()
        if left is not None and left <= 0:
            raise self._halt("deadline")
        try:
            await asyncio.wait_for(self.limiter.acquire(), left)
        except TimeoutError:
            raise self._halt("deadline") from None
        if self.stop:
            await self.limiter.release("error")
            raise Stopped(self.stop)

    async def _wait_for_abandoned_work(self, usage: Usage) -> None:
        """After a timeout, a tiny request that a serial server answers only once it finished the abandoned one.

        A retry sent at once would queue behind the abandoned work and time out in turn. Two tiny
        requests timing out in a row: the endpoint is unresponsive, and this run makes no more calls.
        """
        async with self._drain_lock:
            for _ in range(_DRAIN_TRIES):
                if not self._drain or self.stop:
                    return
                timeout, by_deadline = self._timeout()
                usage.llm_calls += 1
                try:
                    await self.client.chat.completions.create(
                        model=self.cfg.model,
                        messages=[{"role": "user", "content": "Reply with the word ok."}],
                        timeout=timeout,
                        **{self._limit_param: 1},
                    )
                except openai.APITimeoutError:
                    self.timeouts += 1
                    if by_deadline:
                        raise self._halt("deadline") from None
                    continue
                except openai.APIStatusError:
                    pass  # it answered, so it is free again
                self._drain = False
            if self._drain:
                raise self._halt("unresponsive")

    async def _once(
        self,
        messages: Messages,
        max_tokens: int,
        response_format: dict | None,
        usage: Usage,
        mode: str | None,
    ) -> answers.Reply:
        while True:
            if self._drain:
                await self._wait_for_abandoned_work(usage)
            await self._acquire()
            if not self._drain:
                break
            await self.limiter.release("error")  # a request timed out while this one waited
        outcome, spent, sent = "error", (0, 0), time.monotonic()
        alone = (self.limiter.in_flight, self.limiter.acquired)  # (1, n) still at the end: computed alone
        size, held = estimate(messages), response_format is not None
        try:
            if mode is not None and mode != self.mode:
                raise FormatRejected  # refused while this one waited: rebuilt in the new mode, not sent
            if not self.room.fits(size, max_tokens):
                raise ContextTooLong(learned=True)  # the window was learned while this one waited: not sent
            max_tokens = self.room.answer(size, max_tokens, held)  # speed may be known by now
            if usage.llm_calls >= self._max_calls:
                raise GaveUp(f"gave up after {usage.llm_calls} LLM calls this run")
            usage.llm_calls += 1
            timeout, by_deadline = self._timeout()
            extra = {"response_format": response_format} if response_format else {}
            extra[self._limit_param] = max_tokens
            try:
                resp = await self.client.chat.completions.create(
                    model=self.cfg.model, messages=messages, timeout=timeout, **extra
                )
            except openai.APITimeoutError:
                if by_deadline:
                    raise self._halt("deadline") from None
                outcome, self._drain = "timeout", True
                self.timeouts += 1
                self.room.timed_out(size, max_tokens, held)  # the retry is sized to finish
                raise
            try:
                text, finish = answers.completion(resp)
            except MalformedAnswer as e:
                self._malformed += 1
                if self._malformed >= _UNUSABLE_AFTER and not self._answered:
                    self.unusable = str(e)
                    raise self._halt("unusable") from None
                raise
            self._answered += 1
            outcome = "ok"
            self.template_marker = self.template_marker or answers.template_marker(text, messages)
            if resp.usage:
                spent = (resp.usage.prompt_tokens or 0, resp.usage.completion_tokens or 0)
            else:
                spent = (size, estimate_tokens(text))
            usage.add(Usage(0, *spent))
            if alone[0] == 1 and (self.limiter.in_flight, self.limiter.acquired) == alone:
                self.room.speeds[held].add(spent[0], spent[1], time.monotonic() - sent)
            return answers.Reply(text, finish, spent[1], max_tokens)
        except openai.RateLimitError:
            outcome = "throttled"
            raise
        except (openai.AuthenticationError, openai.PermissionDeniedError) as e:
            if not self.stop:
                self.auth_status = e.status_code
            raise self._halt("auth") from None
        except openai.APIStatusError as e:
            learn = lambda msg: self.room.learn_from_refusal(msg, size)  # noqa: E731
            raise answers.refusal(e, learn, self._limit_param, response_format is not None) from None
        finally:
            await self.limiter.release(outcome, *spent, time.monotonic() - sent)
