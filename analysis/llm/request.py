"""The one request path to the chat endpoint, for every kind of answer (commit cards, the day's overview):
budget, structured answer, parts read apart and merged, and the calls and tokens it all cost."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import TYPE_CHECKING, TypeVar

from pydantic import BaseModel, ValidationError

from analysis.llm.failures import StopReason
from analysis.llm.framing import Framing
from analysis.llm.parse import MalformedAnswer, first_object, short_reason
from analysis.llm.prompts import strict_schema
from analysis.models import Usage
from analysis.tokens import clip_tokens, estimate_tokens

if TYPE_CHECKING:  # the endpoint (and the OpenAI client) loads when an analyzer is built
    from analysis.llm.answers import Reply
    from analysis.llm.endpoint import Builder, Endpoint

T = TypeVar("T")
P = TypeVar("P")
M = TypeVar("M", bound=BaseModel)


class Requester:
    """Requests of every kind through one run's endpoint: its limiter, learned modes, window and deadline."""

    def __init__(self, endpoint: Endpoint):
        self.endpoint = endpoint

    @property
    def model(self) -> str:
        """The endpoint's model."""
        return self.endpoint.cfg.model

    @property
    def stopped(self) -> StopReason | None:
        """Why the rest of the run makes no call, or None."""
        return self.endpoint.stop

    def budget(self, configured: int, answer: int) -> int:
        """Estimated prompt tokens a prompt may use, leaving `answer` tokens for the answer."""
        return self.endpoint.budget(configured, answer)

    async def learn_window(self) -> None:
        """Read the context window the endpoint publishes, once per endpoint and model."""
        await self.endpoint.learn_window()

    async def complete(
        self,
        build: Builder,
        max_tokens: int,
        usage: Usage,
        *,
        terse: bool = False,
        structured: bool = True,
        schema: tuple[str, dict] | None = None,
    ) -> Reply:
        """One answer (content, finish reason, tokens against its limit); `schema` is (name, JSON schema), the
        card's when None."""
        return await self.endpoint.complete(
            build, max_tokens, terse, usage, structured=structured, schema=schema
        )

    async def complete_json(
        self, framing: Framing, user: str, schema: type[M], max_tokens: int, usage: Usage, *, name: str
    ) -> M:
        """The answer validated as `schema`: MalformedAnswer when it is cut off or not one, LLMError or
        openai.APIError when there is none; the calls and tokens are counted in `usage` either way."""
        shape = json.dumps(schema.model_json_schema(), ensure_ascii=False)
        messages = framing.messages(
            f"{user}\nAnswer with one JSON object only, following this JSON schema:\n{shape}"
        )
        spent = Usage()  # the endpoint's call limit is per request, as it is per commit for cards
        try:
            text, finish, *_ = await self.complete(
                lambda _m, _t: messages, max_tokens, spent, schema=(name, strict_schema(schema))
            )
        finally:
            usage.add(spent)
        if finish == "length":
            raise MalformedAnswer(f"answer cut off at {max_tokens} tokens")
        obj = first_object(text)
        if obj is None:
            raise MalformedAnswer("the answer holds no JSON object")
        try:
            return schema.model_validate(obj)
        except ValidationError as e:
            raise MalformedAnswer(short_reason(e)) from None


def fill_parts(texts: Iterable[str], room: int) -> list[list[str]]:
    """The texts in order, in as few parts as fit `room` estimated tokens each (a text alone may exceed it)."""
    parts: list[list[str]] = [[]]
    used = 0
    for text in texts:
        cost = estimate_tokens(text) + 1
        if parts[-1] and used + cost > room:
            parts.append([])
            used = 0
        parts[-1].append(text)
        used += cost
    return parts


async def gather_all(asks: Iterable[Awaitable[T]]) -> list[T]:
    """Every answer, asked at once; the first error is raised once all of them have ended."""
    results = await asyncio.gather(*asks, return_exceptions=True)
    for r in results:
        if isinstance(r, BaseException):
            raise r
    return list(results)  # type: ignore[arg-type]


async def parts_then_merge(
    parts: Sequence[P],
    read: Callable[[P, int, int], Awaitable[str | None]],
    merge: Callable[[list[str]], Awaitable[T]],
    room: int,
    head: str = "",
) -> T | None:
    """Each part read at once (`read(part, i, n)`, None when it gave nothing), the texts clipped to their
    share of `room` tokens after `head`, then merged; None when no part gave anything."""
    n = len(parts)
    texts = [t for t in await gather_all(read(p, i, n) for i, p in enumerate(parts, 1)) if t is not None]
    if not texts:
        return None
    each = max(50, (room - estimate_tokens(head)) // len(texts) - 16)
    return await merge([clip_tokens(t, each) for t in texts])
