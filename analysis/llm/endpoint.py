"""How to ask the chat endpoint: structured-output modes, retries, concurrency and error policy."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

import openai
from openai import AsyncOpenAI
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception, stop_after_attempt

from analysis.budget import estimate_tokens
from analysis.config import LLMConfig
from analysis.llm import prompts
from analysis.llm.errors import (
    ContextTooLong,
    Failed,
    FormatRejected,
    GaveUp,
    LimitParamRejected,
    Stopped,
)
from analysis.llm.limiter import AdaptiveLimiter

TRIES = 4  # requests per call while the endpoint answers 429, 5xx or times out
MODES = ["json_schema", "json_object", "text"]

Messages = list[dict[str, str]]
Builder = Callable[[str, bool], Messages]  # (mode, terse) -> messages


@dataclass
class Tally:
    """Tokens and calls spent on one commit."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    calls: int = 0


def _transient(e: BaseException) -> bool:
    if isinstance(e, openai.APIConnectionError | openai.RateLimitError | openai.InternalServerError):
        return True
    return isinstance(e, openai.APIStatusError) and (e.status_code in (408, 409) or e.status_code >= 500)


def _retry_after(e: BaseException | None) -> float:
    """Seconds the endpoint asked us to wait, from Retry-After(-ms); 0 when it did not say."""
    if not isinstance(e, openai.APIStatusError):
        return 0.0
    headers = e.response.headers
    try:
        if ms := headers.get("retry-after-ms"):
            return float(ms) / 1000
        value = headers.get("retry-after")
        if not value:
            return 0.0
        if value.replace(".", "", 1).isdigit():
            return float(value)
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (ValueError, TypeError):
        return 0.0


def _message(e: openai.APIStatusError) -> str:
    return (getattr(e, "message", "") or str(e)).lower()


class Endpoint:
    """One chat-completions endpoint and model, as this run has learned to talk to it."""

    def __init__(self, cfg: LLMConfig, *, backoff: float = 1.0, max_wait: float = 60.0, max_calls: int):
        self.cfg = cfg
        self.limiter = AdaptiveLimiter(cfg.concurrency)
        self.client = AsyncOpenAI(
            api_key=cfg.api_key or "unset", base_url=cfg.base_url, timeout=cfg.timeout, max_retries=0
        )
        self.mode = MODES[0]
        self.auth_failed = False
        self.auth_status = 0
        self._limit_param = "max_tokens"  # newer OpenAI models accept only max_completion_tokens
        self._backoff = backoff
        self._max_wait = max_wait
        self._max_calls = max_calls

    @property
    def url(self) -> str:
        """The endpoint's base URL, for messages."""
        return str(self.client.base_url).rstrip("/")

    async def aclose(self) -> None:
        """Close the HTTP client."""
        await self.client.close()

    async def complete(
        self, build: Builder, max_tokens: int, terse: bool, tally: Tally, *, structured: bool = True
    ) -> tuple[str, str]:
        """One answer, stepping down the structured-output modes and token parameter the endpoint rejects."""
        for _ in range(len(MODES) + 2):
            mode = self.mode
            response_format = prompts.response_format(mode) if structured else None
            try:
                return await self._request(build(mode, terse), max_tokens, response_format, tally)
            except FormatRejected:
                if mode == self.mode and mode != MODES[-1]:
                    self.mode = MODES[MODES.index(mode) + 1]
            except LimitParamRejected:
                self._limit_param = "max_completion_tokens"
        raise Failed("the endpoint rejected every request format")

    def _told_to_wait_too_long(self, state: RetryCallState) -> bool:
        """Whether the endpoint asked for a pause longer than this run waits; the commit stays pending."""
        return _retry_after(state.outcome.exception() if state.outcome else None) > self._max_wait

    def _wait(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        backoff = self._backoff * 2 ** (state.attempt_number - 1) * random.uniform(0.5, 1.5)
        return min(self._max_wait, max(_retry_after(exc), backoff))

    async def _request(
        self, messages: Messages, max_tokens: int, response_format: dict | None, tally: Tally
    ) -> tuple[str, str]:
        """Content and finish reason of one completion, retrying transient errors with backoff."""
        retrying = AsyncRetrying(
            retry=retry_if_exception(_transient),
            stop=stop_after_attempt(TRIES) | self._told_to_wait_too_long,
            wait=self._wait,
            reraise=True,
        )
        async for attempt in retrying:
            with attempt:
                return await self._once(messages, max_tokens, response_format, tally)
        raise AssertionError("unreachable")  # AsyncRetrying either returns or re-raises

    async def _once(
        self, messages: Messages, max_tokens: int, response_format: dict | None, tally: Tally
    ) -> tuple[str, str]:
        await self.limiter.acquire()
        outcome = "error"
        try:
            if self.auth_failed:
                raise Stopped
            if tally.calls >= self._max_calls:
                raise GaveUp(f"gave up after {tally.calls} LLM calls this run")
            tally.calls += 1
            extra = {"response_format": response_format} if response_format else {}
            extra[self._limit_param] = max_tokens
            resp = await self.client.chat.completions.create(model=self.cfg.model, messages=messages, **extra)
            outcome = "ok"
        except openai.RateLimitError:
            outcome = "throttled"
            raise
        except (openai.AuthenticationError, openai.PermissionDeniedError) as e:
            if not self.auth_failed:
                self.auth_failed, self.auth_status = True, e.status_code
            raise Stopped from None
        except openai.BadRequestError as e:
            msg = _message(e)
            if e.code == "context_length_exceeded" or "context length" in msg or "context window" in msg:
                raise ContextTooLong from None
            if self._limit_param == "max_tokens" and (
                e.param == "max_tokens" or "max_completion_tokens" in msg
            ):
                raise LimitParamRejected from None
            if response_format and (
                "response_format" in msg or "json_schema" in msg or e.param == "response_format"
            ):
                raise FormatRejected from None
            raise Failed(f"endpoint rejected the request (400): {msg[:200]}") from None
        except openai.APIStatusError as e:
            if _transient(e):
                raise
            raise Failed(f"endpoint answered {e.status_code}: {_message(e)[:200]}") from None
        finally:
            await self.limiter.release(outcome)
        if resp.usage:
            tally.prompt_tokens += resp.usage.prompt_tokens or 0
            tally.completion_tokens += resp.usage.completion_tokens or 0
        else:
            tally.prompt_tokens += sum(estimate_tokens(m["content"]) for m in messages)
        choice = resp.choices[0]
        return choice.message.content or "", choice.finish_reason or "stop"
