"""The overview's StructuredCompleter on top of the commit analyzer's chat endpoint."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from pydantic import BaseModel, ValidationError

from analysis.llm.errors import LLMError
from analysis.llm.parse import first_object, short_reason
from analysis.llm.prompts import strict_schema
from analysis.overview.llm import CompletionError

if TYPE_CHECKING:  # the OpenAI client loads with the run's analyzer, not with this module
    from analysis.llm.endpoint import Endpoint


class EndpointCompleter:
    """Structured answers from an Endpoint: the same output-mode negotiation as cards, with the answer's own schema."""

    def __init__(self, endpoint: Endpoint):
        self.endpoint = endpoint

    @property
    def model(self) -> str:
        """The endpoint's model."""
        return self.endpoint.cfg.model

    async def complete_json(
        self, system: str, user: str, schema: type[BaseModel], max_tokens: int
    ) -> tuple[BaseModel, int, int]:
        """The answer validated as `schema`, with prompt and completion tokens; CompletionError when none."""
        import openai

        from analysis.llm.endpoint import Tally

        shape = json.dumps(schema.model_json_schema(), ensure_ascii=False)
        content = f"{user}\nAnswer with one JSON object only, following this JSON schema:\n{shape}"
        messages = [{"role": "system", "content": system}, {"role": "user", "content": content}]
        tally = Tally()
        try:
            text, finish = await self.endpoint.complete(
                lambda _m, _t: messages,
                max_tokens,
                False,
                tally,
                schema=("day_overview", strict_schema(schema)),
            )
        except (LLMError, openai.APIError) as e:
            spent = {"calls": tally.calls, "prompt_tokens": tally.prompt_tokens}
            raise CompletionError(f"no answer: {type(e).__name__}", **spent) from None
        spent = {
            "calls": tally.calls,
            "prompt_tokens": tally.prompt_tokens,
            "completion_tokens": tally.completion_tokens,
        }
        if finish == "length":
            raise CompletionError(f"answer cut off at {max_tokens} tokens", answered=True, **spent)
        obj = first_object(text)
        if obj is None:
            raise CompletionError("the answer holds no JSON object", answered=True, **spent)
        try:
            return schema.model_validate(obj), tally.prompt_tokens, tally.completion_tokens
        except ValidationError as e:
            raise CompletionError(short_reason(e), answered=True, **spent) from None


def endpoint_completer(analyzer: object) -> EndpointCompleter | None:
    """A completer sharing the run's analyzer endpoint (its limiter and learned modes), when it has one."""
    endpoint = getattr(analyzer, "endpoint", None)
    if endpoint is None:
        return None
    from analysis.llm.endpoint import Endpoint

    return EndpointCompleter(endpoint) if isinstance(endpoint, Endpoint) else None
