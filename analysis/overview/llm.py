"""The model's overview of a day: one more kind of request through the run's requester, with its own schema
and prompt text; the cards packed within the prompt budget, a huge day read in parts and merged."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from analysis.llm.failures import LLMError
from analysis.llm.parse import MalformedAnswer
from analysis.llm.request import Requester, fill_parts, parts_then_merge
from analysis.models import DigestEntry, Usage
from analysis.overview import prompt
from analysis.overview.check import checked
from analysis.overview.overview_types import Overview, OverviewAnswer
from analysis.tokens import clip_tokens, estimate_tokens

ANSWER_TOKENS = 1500  # completion limit of an overview answer
MAX_PARTS = 8  # parts a huge day is read in, besides the merge
SCHEMA_NAME = "day_overview"
_SCHEMA_TOKENS = estimate_tokens(json.dumps(OverviewAnswer.model_json_schema())) + 64


def overhead(language: str) -> int:
    """Tokens of an overview prompt besides the cards (system, task, schema), by the project's estimate."""
    text = (
        prompt.DAY_FRAMING.system
        + prompt.overview_user([], language, (9, 9))
        + prompt.merge_user([], language)
    )
    return estimate_tokens(text) + _SCHEMA_TOKENS


def card_parts(entries: list[DigestEntry], room: int) -> list[list[str]]:
    """The day's cards in as few parts as fit `room` tokens each; briefer cards, then fewer low ones, when
    the day would need more than MAX_PARTS parts."""
    ranked = sorted(entries, key=lambda e: -e.analysis.importance.rank)
    for brief in (False, True):
        texts = [clip_tokens(prompt.card_text(e, brief), max(room // 2, 50)) for e in ranked]
        parts = fill_parts(texts, room)
        if len(parts) <= MAX_PARTS:
            return parts
    return parts[:MAX_PARTS]  # the lowest-importance leftovers stay out


def _partial_text(o: Overview) -> str:
    lines = [f"Headline: {o.headline}"]
    lines += [f"Theme: {t.title} — {t.text} {' '.join(map(prompt.cite, t.commits))}" for t in o.themes]
    lines += [f"Attention: {a.text} {' '.join(map(prompt.cite, a.commits))}" for a in o.attention]
    return "\n".join(lines)


@dataclass
class Outcome:
    """What asking the model gave: the checked overview (None when no valid theme is left, or no answer),
    whether the endpoint answered at all, and the calls and tokens spent."""

    overview: Overview | None
    answered: bool
    usage: Usage = field(default_factory=Usage)


async def llm_overview(
    requester: Requester, entries: list[DigestEntry], language: str, budget: int
) -> Outcome:
    """The model's overview of the day's cards, every prompt within `budget` tokens (less when the
    endpoint's context window is smaller)."""
    shas = [e.commit.sha for e in entries]
    room = max(requester.budget(budget, ANSWER_TOKENS) - overhead(language), 200)
    parts = card_parts(entries, room)
    usage = Usage()

    async def answer(user: str) -> OverviewAnswer:
        return await requester.complete_json(
            prompt.DAY_FRAMING, user, OverviewAnswer, ANSWER_TOKENS, usage, name=SCHEMA_NAME
        )

    async def read(cards: list[str], i: int, n: int) -> str | None:
        partial = checked(await answer(prompt.overview_user(cards, language, (i, n))), shas)
        return _partial_text(partial) if partial is not None else None

    async def merge(texts: list[str]) -> Overview | None:
        return checked(await answer(prompt.merge_user(texts, language)), shas)

    import openai  # loaded with the requester already; not at import time, so runs without a key stay light

    try:
        if len(parts) == 1:
            overview = checked(await answer(prompt.overview_user(parts[0], language)), shas)
        else:
            overview = await parts_then_merge(parts, read, merge, room)
        return Outcome(overview, True, usage)
    except MalformedAnswer:  # it answered, but not with a usable overview
        return Outcome(None, True, usage)
    except (LLMError, openai.APIError):
        return Outcome(None, False, usage)
