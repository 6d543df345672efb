"""The model's overview of a day: the cards packed within the prompt budget, a huge day read in parts and merged."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import Protocol

from pydantic import BaseModel

from analysis.budget import clip, estimate_tokens
from analysis.errors import CommitDigestError
from analysis.models import DigestEntry
from analysis.overview import prompt
from analysis.overview.check import checked
from analysis.overview.models import Overview, OverviewAnswer

ANSWER_TOKENS = 1500  # completion limit of an overview answer
MAX_PARTS = 8  # parts a huge day is read in, besides the merge
_SCHEMA_TOKENS = estimate_tokens(json.dumps(OverviewAnswer.model_json_schema())) + 64


class CompletionError(CommitDigestError):
    """The endpoint gave no usable structured answer; `answered` is True when it answered at all, and the
    error carries the requests and tokens spent on the way."""

    def __init__(
        self,
        message: str,
        *,
        answered: bool = False,
        calls: int = 0,
        prompt_tokens: int = 0,
        completion_tokens: int = 0,
    ):
        super().__init__(message)
        self.answered = answered
        self.calls = calls
        self.prompt_tokens = prompt_tokens
        self.completion_tokens = completion_tokens


class StructuredCompleter(Protocol):
    """What the overview needs of a model: one structured answer per call."""

    @property
    def model(self) -> str:
        """The model's name, part of the overview cache's fingerprint."""
        ...

    async def complete_json(
        self, system: str, user: str, schema: type[BaseModel], max_tokens: int
    ) -> tuple[BaseModel, int, int]:
        """The answer validated as `schema`, with prompt and completion tokens; CompletionError when none."""
        ...


@dataclass
class Spent:
    """Calls and tokens the overview of one repository-day cost."""

    calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0


def overhead(language: str) -> int:
    """Tokens of an overview prompt besides the cards (system, task, schema), by the project's estimate."""
    text = (
        prompt.system_prompt() + prompt.overview_user([], language, (9, 9)) + prompt.merge_user([], language)
    )
    return estimate_tokens(text) + _SCHEMA_TOKENS


def pack(entries: list[DigestEntry], room: int) -> list[list[str]]:
    """The day's cards in as few parts as fit `room` tokens each; briefer cards, then fewer low ones, when
    the day would need more than MAX_PARTS parts."""
    ranked = sorted(entries, key=lambda e: -e.analysis.importance.rank)
    for brief in (False, True):
        texts = [clip(prompt.card_text(e, brief), max(room // 2, 50)) for e in ranked]
        parts: list[list[str]] = [[]]
        used = 0
        for text in texts:
            cost = estimate_tokens(text) + 1
            if parts[-1] and used + cost > room:
                parts.append([])
                used = 0
            parts[-1].append(text)
            used += cost
        if len(parts) <= MAX_PARTS:
            return parts
    return parts[:MAX_PARTS]  # the lowest-importance leftovers stay out


class _Calls:
    """One repository-day's calls to the completer, with what they cost."""

    def __init__(self, completer: StructuredCompleter):
        self.completer = completer
        self.spent = Spent()

    async def answer(self, user: str) -> OverviewAnswer:
        try:
            model, p, c = await self.completer.complete_json(
                prompt.system_prompt(), user, OverviewAnswer, ANSWER_TOKENS
            )
        except CompletionError as e:
            self.spent.calls += e.calls
            self.spent.prompt_tokens += e.prompt_tokens
            self.spent.completion_tokens += e.completion_tokens
            raise
        self.spent.calls += 1
        self.spent.prompt_tokens += p
        self.spent.completion_tokens += c
        assert isinstance(model, OverviewAnswer)
        return model


def _partial_text(o: Overview) -> str:
    lines = [f"Headline: {o.headline}"]
    lines += [f"Theme: {t.title} — {t.text} {' '.join(map(prompt.cite, t.commits))}" for t in o.themes]
    lines += [f"Attention: {a.text} {' '.join(map(prompt.cite, a.commits))}" for a in o.attention]
    return "\n".join(lines)


@dataclass
class Outcome:
    """What asking the model gave: the checked overview (None when no valid theme is left, or no answer),
    whether the endpoint answered at all, and the cost."""

    overview: Overview | None
    answered: bool
    spent: Spent


async def llm_overview(
    completer: StructuredCompleter, entries: list[DigestEntry], language: str, budget: int
) -> Outcome:
    """The model's overview of the day's cards, every prompt within `budget` tokens."""
    shas = [e.commit.sha for e in entries]
    room = max(budget - overhead(language), 200)
    parts = pack(entries, room)
    calls = _Calls(completer)
    try:
        if len(parts) == 1:
            answer = await calls.answer(prompt.overview_user(parts[0], language))
            return Outcome(checked(answer, shas), True, calls.spent)
        n = len(parts)
        answers = await asyncio.gather(
            *(calls.answer(prompt.overview_user(p, language, (i, n))) for i, p in enumerate(parts, 1))
        )
        partials = [o for o in (checked(a, shas) for a in answers) if o is not None]
        if not partials:
            return Outcome(None, True, calls.spent)
        per_part = max(50, room // len(partials) - 16)
        texts = [clip(_partial_text(o), per_part) for o in partials]
        merged = await calls.answer(prompt.merge_user(texts, language))
        return Outcome(checked(merged, shas), True, calls.spent)
    except CompletionError as e:
        return Outcome(None, e.answered, calls.spent)
