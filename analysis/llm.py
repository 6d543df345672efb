"""The chat-completions client: budgeted prompts, structured cards, error policy, concurrency, cost."""

from __future__ import annotations

import asyncio
import json
import random
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

import openai
from openai import AsyncOpenAI
from pydantic import ValidationError
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception, stop_after_attempt

from analysis import prompts
from analysis.budget import clip, estimate_tokens, overview, pack
from analysis.config import LLMConfig
from analysis.models import Analysis, AnalysisStatus, Card, Commit, Importance, Insight, Score

_MAX_TOKENS = {Importance.LOW: 800, Importance.MEDIUM: 1600, Importance.HIGH: 3200}
_MAX_TOKENS_CAP = 12000
_NOTES_TOKENS = 700
_TRIES = 4  # requests per call while the endpoint answers 429, 5xx or times out
_LENGTH_RETRIES = 2
_SHRINK, _SHRINKS = 0.6, 3
_MIN_BUDGET = 600
_MODES = ["json_schema", "json_object", "text"]
_FENCE_RE = re.compile(r"```(?:json)?\s*(\{.*?\})\s*```", re.S)

Messages = list[dict[str, str]]
Builder = Callable[[str, bool], Messages]  # (mode, terse) -> messages


class _Stopped(Exception):
    """LLM calls are stopped for this run (the key was rejected)."""


class _ContextTooLong(Exception):
    """The endpoint says the prompt exceeds its context."""


class _FormatRejected(Exception):
    """The endpoint rejects the requested response_format."""


class _LimitParamRejected(Exception):
    """The endpoint wants `max_completion_tokens` instead of `max_tokens`."""


class _Failed(Exception):
    """The commit cannot be analyzed this run; the message is the short reason stored."""


class _GaveUp(Exception):
    """The commit used up its requests for this run; it stays pending."""


@dataclass
class _Tally:
    prompt_tokens: int = 0
    completion_tokens: int = 0
    calls: int = 0


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


def cost_usd(prompt_tokens: int, completion_tokens: int, cfg: LLMConfig) -> float | None:
    """The estimated cost of the tokens at the configured prices; None when no price is set."""
    if cfg.price_input_per_mtok is None and cfg.price_output_per_mtok is None:
        return None
    cost = prompt_tokens * (cfg.price_input_per_mtok or 0) + completion_tokens * (
        cfg.price_output_per_mtok or 0
    )
    return round(cost / 1_000_000, 6)


def parse_card(text: str) -> Card:
    """The card in an answer: plain JSON, fenced JSON, or the first JSON object in prose."""
    text = text.strip()
    candidates = [text, *_FENCE_RE.findall(text)]
    decoder = json.JSONDecoder()
    candidates += [text[m.start() :] for m in re.finditer(r"\{", text)][:20]
    for c in candidates:
        try:
            obj, _ = decoder.raw_decode(c)
        except json.JSONDecodeError:
            continue
        if isinstance(obj, dict):
            if isinstance(obj.get("importance"), str):
                obj["importance"] = obj["importance"].strip().lower()
            return Card.model_validate(obj)
    raise ValueError("the answer holds no JSON object")


def _short(e: Exception) -> str:
    if isinstance(e, ValidationError):
        return "; ".join(f"{'.'.join(map(str, x['loc']))}: {x['msg']}" for x in e.errors()[:6])
    return str(e)[:300]


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


class LLMAnalyzer:
    """Writes commit cards with an OpenAI-compatible endpoint; one instance per run."""

    def __init__(self, cfg: LLMConfig, language: str = "en", *, backoff: float = 1.0, max_wait: float = 60.0):
        self.cfg = cfg
        self.language = language if language in ("en", "zh") else "en"
        self.prompt_version = prompts.PROMPT_VERSION
        self.auth_failed = False
        self.limiter = AdaptiveLimiter(cfg.concurrency)
        self._client = AsyncOpenAI(
            api_key=cfg.api_key or "unset", base_url=cfg.base_url, timeout=cfg.timeout, max_retries=0
        )
        self._backoff = backoff
        self._max_wait = max_wait
        self._mode = _MODES[0]
        self._limit_param = "max_tokens"  # newer OpenAI models accept only max_completion_tokens
        self._auth_status = 0
        self._left_pending = 0
        self._max_calls = 3 * (cfg.max_calls_per_commit + 1) + _TRIES

    @property
    def alerts(self) -> list[str]:
        """Provider-health problems of this run, at most one per kind."""
        if not self.auth_failed:
            return []
        where = str(self._client.base_url).rstrip("/")
        what = "rejected the API key" if self._auth_status == 401 else "refused access"
        fix = (
            "check OPENAI_API_KEY"
            if self._auth_status == 401
            else f"check the key's access to {self.cfg.model}"
        )
        return [
            f"LLM endpoint {what} ({self._auth_status}) at {where}: {fix}; "
            f"{self._left_pending} commits left pending for the next run"
        ]

    @property
    def mode(self) -> str:
        """The structured-output mode in use: json_schema, json_object or text."""
        return self._mode

    async def aclose(self) -> None:
        """Close the HTTP client."""
        await self._client.close()

    async def analyze(self, commit: Commit, score: Score) -> Analysis:
        """The commit's analysis: DONE with a card, FAILED with a reason, or PENDING for the next run."""
        tally = _Tally()
        started = time.monotonic()
        status, card, error = AnalysisStatus.PENDING, None, None
        try:
            card = await self._analyze(commit, score, tally)
            status = AnalysisStatus.DONE
        except _Stopped:
            self._left_pending += 1
            error = f"LLM calls stopped: endpoint answered {self._auth_status}"
        except _GaveUp as e:
            error = str(e)
        except (openai.APIConnectionError, openai.APIStatusError) as e:
            error = f"LLM endpoint unavailable: {type(e).__name__}"
        except _Failed as e:
            status, error = AnalysisStatus.FAILED, str(e)
        return Analysis(
            sha=commit.sha,
            status=status,
            scored=score.importance,
            card=card,
            reasons=list(score.reasons),
            model=self.cfg.model,
            prompt_version=self.prompt_version,
            language=self.language,
            prompt_tokens=tally.prompt_tokens,
            completion_tokens=tally.completion_tokens,
            llm_calls=tally.calls,
            latency_ms=int((time.monotonic() - started) * 1000),
            attempts=1 if tally.calls else 0,
            error=error,
        )

    async def _analyze(self, commit: Commit, score: Score, tally: _Tally) -> Card:
        if self.auth_failed:
            raise _Stopped
        budget = self.cfg.prompt_tokens
        for _ in range(_SHRINKS + 1):
            try:
                return await self._within(commit, score, budget, tally)
            except _ContextTooLong:
                budget = max(_MIN_BUDGET, int(budget * _SHRINK))
        raise _Failed("prompt too long for the endpoint even after shrinking")

    def _overhead(self, score: Score) -> int:
        """Tokens of a card prompt besides the commit content, in the costliest mode."""
        msgs = prompts.merge_messages(
            "", [], score.importance, score.reasons, self.language, "text", terse=True
        )
        return sum(estimate_tokens(m["content"]) + 8 for m in msgs) + 32

    async def _within(self, commit: Commit, score: Score, budget: int, tally: _Tally) -> Card:
        hint, reasons, lang = score.importance, score.reasons, self.language
        room = budget - self._overhead(score)
        parts = pack(commit, room, self.cfg.max_calls_per_commit)
        if len(parts) == 1:
            text = parts[0].text
            card = await self._card(
                lambda m, t: prompts.card_messages(text, hint, reasons, lang, m, t), hint, budget, tally
            )
        else:
            results = await asyncio.gather(
                *(self._notes(p.text, tally) for p in parts), return_exceptions=True
            )
            for r in results:
                if isinstance(r, BaseException):
                    raise r
            notes = [str(r) for r in results]
            head = overview(commit, room // 3)
            per_note = max(50, (room - estimate_tokens(head)) // len(notes) - 16)
            notes = [clip(n, per_note) for n in notes]
            card = await self._card(
                lambda m, t: prompts.merge_messages(head, notes, hint, reasons, lang, m, t),
                hint,
                budget,
                tally,
            )
        ours = parts[0].not_read
        card.not_read = ours + [
            x for x in card.not_read if x not in ours and x.strip().lower() not in ("", "none")
        ]
        if card.importance is Importance.LOW:
            card.summary, card.insight = card.summary[:1], Insight()
        return card

    async def _notes(self, content: str, tally: _Tally) -> str:
        msgs = prompts.notes_messages(content, self.language)
        text, finish = await self._call(lambda _m, _t: msgs, _NOTES_TOKENS, False, tally, structured=False)
        if finish == "length":
            text, finish = await self._call(
                lambda _m, _t: msgs, _NOTES_TOKENS * 2, False, tally, structured=False
            )
        return text + (" (notes cut off)" if finish == "length" else "")

    async def _card(self, build: Builder, hint: Importance, budget: int, tally: _Tally) -> Card:
        max_tokens = _MAX_TOKENS[hint]
        for cut in range(_LENGTH_RETRIES + 1):
            if cut:
                max_tokens = min(max_tokens * 2, _MAX_TOKENS_CAP)
            text, finish = await self._call(build, max_tokens, terse=cut > 0, tally=tally)
            if finish != "length":
                break
        else:
            raise _Failed(f"answer cut off at {max_tokens} tokens")
        try:
            return parse_card(text)
        except ValueError as e:
            error = _short(e)
        lang = self.language
        bad = clip(text, budget - self._overhead_repair(error))
        text, finish = await self._call(
            lambda m, _t: prompts.repair_messages(bad, error, lang, m), max_tokens, terse=False, tally=tally
        )
        if finish == "length":
            raise _Failed("repaired answer cut off")
        try:
            return parse_card(text)
        except ValueError as e:
            raise _Failed(f"invalid card after one repair: {_short(e)[:200]}") from None

    def _overhead_repair(self, error: str) -> int:
        msgs = prompts.repair_messages("", error, self.language, "text")
        return sum(estimate_tokens(m["content"]) + 8 for m in msgs) + 32

    async def _call(
        self, build: Builder, max_tokens: int, terse: bool, tally: _Tally, *, structured: bool = True
    ) -> tuple[str, str]:
        """One answer, stepping down the structured-output modes and token parameter the endpoint rejects."""
        for _ in range(len(_MODES) + 2):
            mode = self._mode
            response_format = prompts.response_format(mode) if structured else None
            try:
                return await self._request(build(mode, terse), max_tokens, response_format, tally)
            except _FormatRejected:
                if mode == self._mode and mode != _MODES[-1]:
                    self._mode = _MODES[_MODES.index(mode) + 1]
            except _LimitParamRejected:
                self._limit_param = "max_completion_tokens"
        raise _Failed("the endpoint rejected every request format")

    def _told_to_wait_too_long(self, state: RetryCallState) -> bool:
        """Whether the endpoint asked for a pause longer than this run waits; the commit stays pending."""
        return _retry_after(state.outcome.exception() if state.outcome else None) > self._max_wait

    def _wait(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        backoff = self._backoff * 2 ** (state.attempt_number - 1) * random.uniform(0.5, 1.5)
        return min(self._max_wait, max(_retry_after(exc), backoff))

    async def _request(
        self, messages: Messages, max_tokens: int, response_format: dict | None, tally: _Tally
    ) -> tuple[str, str]:
        """Content and finish reason of one completion, retrying transient errors with backoff."""
        retrying = AsyncRetrying(
            retry=retry_if_exception(_transient),
            stop=stop_after_attempt(_TRIES) | self._told_to_wait_too_long,
            wait=self._wait,
            reraise=True,
        )
        async for attempt in retrying:
            with attempt:
                return await self._once(messages, max_tokens, response_format, tally)
        raise AssertionError("unreachable")  # AsyncRetrying either returns or re-raises

    async def _once(
        self, messages: Messages, max_tokens: int, response_format: dict | None, tally: _Tally
    ) -> tuple[str, str]:
        await self.limiter.acquire()
        outcome = "error"
        try:
            if self.auth_failed:
                raise _Stopped
            if tally.calls >= self._max_calls:
                raise _GaveUp(f"gave up after {tally.calls} LLM calls this run")
            tally.calls += 1
            extra = {"response_format": response_format} if response_format else {}
            extra[self._limit_param] = max_tokens
            resp = await self._client.chat.completions.create(
                model=self.cfg.model, messages=messages, **extra
            )
            outcome = "ok"
        except openai.RateLimitError:
            outcome = "throttled"
            raise
        except (openai.AuthenticationError, openai.PermissionDeniedError) as e:
            if not self.auth_failed:
                self.auth_failed, self._auth_status = True, e.status_code
            raise _Stopped from None
        except openai.BadRequestError as e:
            msg = _message(e)
            if e.code == "context_length_exceeded" or "context length" in msg or "context window" in msg:
                raise _ContextTooLong from None
            if self._limit_param == "max_tokens" and (
                e.param == "max_tokens" or "max_completion_tokens" in msg
            ):
                raise _LimitParamRejected from None
            if response_format and (
                "response_format" in msg or "json_schema" in msg or e.param == "response_format"
            ):
                raise _FormatRejected from None
            raise _Failed(f"endpoint rejected the request (400): {msg[:200]}") from None
        except openai.APIStatusError as e:
            if _transient(e):
                raise
            raise _Failed(f"endpoint answered {e.status_code}: {_message(e)[:200]}") from None
        finally:
            await self.limiter.release(outcome)
        if resp.usage:
            tally.prompt_tokens += resp.usage.prompt_tokens or 0
            tally.completion_tokens += resp.usage.completion_tokens or 0
        else:
            tally.prompt_tokens += sum(estimate_tokens(m["content"]) for m in messages)
        choice = resp.choices[0]
        return choice.message.content or "", choice.finish_reason or "stop"
