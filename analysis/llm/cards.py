"""One commit card from the model: an answer sized to what a card needs, repaired once when it is not JSON,
asked once more strictly when it says nothing (unless nearly every answer of the run said nothing), and the
answer lengths that size the next ones."""

from __future__ import annotations

from collections.abc import Callable

from analysis.llm import checks, prompts
from analysis.llm.endpoint import Builder
from analysis.llm.failures import Failed, Unusable
from analysis.llm.framing import estimate
from analysis.llm.parse import MalformedAnswer, parse_card
from analysis.llm.request import Requester
from analysis.models import Card, Importance, Usage
from analysis.tokens import clip_tokens

# answer tokens of a card by depth while the endpoint's own card lengths are unknown: the card's schema
# at that depth, written out, with room to spare (hundreds of tokens, so a looping model stops early)
ANSWER_TOKENS = {Importance.LOW: 400, Importance.MEDIUM: 800, Importance.HIGH: 1200}
_CUT_GROWTH, _CUT_CAP = 1.5, 1800  # one retry after a cut-off answer, this much longer, at most this
_MEASURED_ROOM = 2.0  # a card may be this many times the longest usable card the endpoint wrote
_FLOOR = 300  # the least room a card answer gets
_REPEATS = "the answer repeats itself until the token limit"
_RAN_ON = "the answer ran past"
_HOPELESS_AFTER, _HOPELESS_SHARE = 4, 0.8  # after this many answers, this share unusable: no stricter second ask


class CardLengths:
    """The longest usable card answer (completion tokens) of one endpoint and model, kept between runs."""

    def __init__(self, known: int | None):
        self.longest = known
        self.changed = False

    def limit(self, hint: Importance) -> int:
        """The answer tokens a card of depth `hint` may use."""
        base = ANSWER_TOKENS[hint]
        if not self.longest:
            return base
        return min(base, max(_FLOOR, int(self.longest * _MEASURED_ROOM)))

    def add(self, tokens: int) -> None:
        """Count one usable card answer of `tokens` completion tokens."""
        if tokens > 0 and (self.longest is None or tokens > self.longest):
            self.longest, self.changed = tokens, True


class CardAsker:
    """Asks the model for one card through the run's requester; counts usable and unusable answers."""

    def __init__(self, requester: Requester, language: str, lengths: CardLengths):
        self.requester = requester
        self.language = language
        self.lengths = lengths
        self.schema = ("commit_card", prompts.card_schema(language))  # its kinds in the configured language
        self.answers = self.unusable = 0  # card answers this run, and those that said nothing usable

    @property
    def hopeless(self) -> bool:
        """Whether nearly every card answer of this run said nothing usable (a model too small for the job)."""
        return self.answers >= _HOPELESS_AFTER and self.unusable >= _HOPELESS_SHARE * self.answers

    async def card(
        self,
        build: Builder,
        hint: Importance,
        budget: int,
        usage: Usage,
        grounds: frozenset[str] | None = None,
    ) -> Card:
        """A card that says something (of the commit whose names are `grounds`); Unusable when the answer and a
        stricter second one say nothing."""
        limit, reason, bad = self.lengths.limit(hint), "", 0
        for strict in (False, True):
            asked: Builder = build
            if strict and self.hopeless:
                break  # this model's answers are nearly all unusable: a stricter ask would be one more wasted
            if strict:
                asked = _stricter(build, reason, self.language)
            before = usage.completion_tokens
            card, reason = await self._one(asked, limit, budget, usage, grounds)
            self.answers += 1
            if card is not None:
                self.lengths.add(usage.completion_tokens - before)
                return card
            self.unusable += 1
            bad += 1
            if reason.startswith(_RAN_ON):
                break  # it ran on with more room and a request for brevity: a stricter ask would too
        raise Unusable(reason, bad)

    async def _one(
        self, build: Builder, limit: int, budget: int, usage: Usage, grounds: frozenset[str] | None
    ) -> tuple[Card | None, str]:
        """One card answer: (card, "") when usable, (None, why) when it says nothing or the model runs past its
        room twice; Failed when the server cut it off short of its room (the next run asks again)."""
        reply = await self.requester.complete(build, limit, usage, schema=self.schema)
        if reply.finish == "length":
            if checks.repetitive(reply.text):
                return None, _REPEATS
            limit = min(int(limit * _CUT_GROWTH), _CUT_CAP)
            reply = await self.requester.complete(build, limit, usage, terse=True, schema=self.schema)
            if reply.finish == "length":
                if checks.repetitive(reply.text):
                    return None, _REPEATS
                if reply.ran_on:
                    return None, f"{_RAN_ON} {reply.limit} tokens, even when asked to be brief"
                raise Failed(f"answer cut off by the endpoint after {reply.tokens} of {reply.limit} tokens")
        text = reply.text
        try:
            card = parse_card(text)
        except MalformedAnswer as e:
            card = await self._repaired(text, str(e), limit, budget, usage)
        card = checks.tidied(card)
        why = checks.unusable(card, self.language, grounds)
        return (None, why) if why else (card, "")

    async def _repaired(self, text: str, error: str, limit: int, budget: int, usage: Usage) -> Card:
        lang = self.language
        overhead = estimate(prompts.repair_messages("", error, lang, "text")) + 32
        bad = clip_tokens(text, budget - overhead)
        text, finish, *_ = await self.requester.complete(
            lambda m, _t: prompts.repair_messages(bad, error, lang, m), limit, usage, schema=self.schema
        )
        if finish == "length":
            raise Failed("repaired answer cut off")
        try:
            return parse_card(text)
        except MalformedAnswer as e:
            raise Failed(f"invalid card after one repair: {str(e)[:200]}") from None


def _stricter(build: Builder, reason: str, language: str) -> Callable[[str, bool], list[dict[str, str]]]:
    return lambda mode, terse: prompts.stricter(build(mode, terse), reason, language)
