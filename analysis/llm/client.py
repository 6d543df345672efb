"""The chat-completions analyzer: budgeted prompts, large commits read in parts, one repair per card."""

from __future__ import annotations

import time

import openai

from analysis.budget import overview, pack
from analysis.config import LLMConfig
from analysis.heuristic import heuristic_card
from analysis.llm import checks, prompts
from analysis.llm.cards import CardAsker, CardLengths
from analysis.llm.endpoint import Endpoint
from analysis.llm.failures import ContextTooLong, Failed, GaveUp, Stopped, StopReason, Unusable
from analysis.llm.framing import estimate
from analysis.llm.limiter import AdaptiveLimiter
from analysis.llm.memory import EndpointMemory, Learned
from analysis.llm.request import Requester, parts_then_merge
from analysis.llm.retry_policy import TRIES
from analysis.models import Analysis, AnalysisStatus, Card, Commit, Importance, Insight, Score, Usage
from analysis.strings import t
from analysis.tokens import estimate_tokens

_NOTES_TOKENS = 450  # notes of one part: at most 250 words
_SHRINK, _SHRINKS = 0.6, 3
_ALERT_SHARE, _ALERT_MIN = 0.5, 3  # most of at least this many card answers unusable: one alert
_MIN_BUDGET = 600
_STOPPED = {
    "auth": "LLM calls stopped: endpoint answered {status}",
    "unresponsive": "LLM calls stopped: endpoint did not answer",
    "deadline": "LLM deadline for this run passed",
    "unusable": "LLM calls stopped: endpoint answers are unusable",
}


class LLMAnalyzer:
    """Writes commit cards with an OpenAI-compatible endpoint; one instance per run."""

    def __init__(
        self,
        cfg: LLMConfig,
        language: str = "en",
        memory: EndpointMemory | None = None,
        *,
        backoff: float = 1.0,
        max_wait: float = 60.0,
    ):
        self.cfg = cfg
        self.language = language if language in ("en", "zh") else "en"
        self.prompt_version = prompts.CARD_FRAMING.version
        self.endpoint = Endpoint(
            cfg,
            memory=memory,
            backoff=backoff,
            max_wait=max_wait,
            max_calls=3 * (cfg.max_calls_per_commit + 1) + TRIES,
        )
        self.requester = Requester(self.endpoint)  # cards here; the day's overview through the same one
        known = self.endpoint.memory.recall(self.endpoint.url, cfg.model).answer_tokens
        self.cards = CardAsker(self.requester, self.language, CardLengths(known))
        self._left_pending = 0

    @property
    def auth_failed(self) -> bool:
        """True once the endpoint rejected the key: no more calls this run."""
        return self.endpoint.stop == "auth"

    @property
    def stopped(self) -> StopReason | None:
        """Why this run makes no more LLM calls (key refused, no answer, deadline, unusable answers)."""
        return self.endpoint.stop

    @property
    def limiter(self) -> AdaptiveLimiter:
        """The concurrency limiter of this run's requests."""
        return self.endpoint.limiter

    @property
    def alerts(self) -> list[str]:
        """Endpoint-health problems of this run: one, for what stopped the calls."""
        where, left = self.endpoint.url, f"{self._left_pending} commits left pending for the next run"
        stop = self.endpoint.stop
        if stop == "auth":
            status = self.endpoint.auth_status
            what = "rejected the API key" if status == 401 else "refused access"
            fix = "check OPENAI_API_KEY" if status == 401 else f"check the key's access to {self.cfg.model}"
            return [f"LLM endpoint {what} ({status}) at {where}: {fix}; {left}"]
        if stop == "unresponsive":
            return [
                f"LLM endpoint at {where} did not answer within {self.cfg.timeout:g} s "
                f"(DIGEST_LLM_TIMEOUT); it is unresponsive or too slow; {left}"
            ]
        if stop == "deadline":
            return [
                f"LLM endpoint at {where} is too slow for this run: the {self.cfg.deadline:g} s for "
                f"analysis (DIGEST_LLM_DEADLINE) passed; {left}"
            ]
        if stop == "unusable":
            return [
                f"LLM endpoint at {where} does not answer like a chat-completions API "
                f"({self.endpoint.unusable}): check OPENAI_BASE_URL; {left}"
            ]
        bad, total = self.cards.unusable, self.cards.answers
        if total >= _ALERT_MIN and bad > _ALERT_SHARE * total:
            fix = "check the model (DIGEST_LLM_MODEL)"
            if marker := self.endpoint.template_marker:
                fix = (
                    f"its answers hold the chat-template marker {marker!r}: the server wraps prompts in a "
                    "template that is not the model's (the model file carries none, or it is a base model not "
                    "tuned for chat); start the server with the model's own (llama.cpp: --jinja --chat-template "
                    "NAME; llama-cpp-python: --chat_format NAME) or use an instruction-tuned model "
                    "(DIGEST_LLM_MODEL)"
                )
            return [
                f"LLM endpoint at {where} with model {self.cfg.model}: {bad} of {total} card answers this "
                "run said nothing usable (empty, a lone identifier, another language, a runaway repetition "
                f"or nothing of the commit named); those commits show their heuristic card; {fix}"
            ]
        return []

    @property
    def mode(self) -> str:
        """The structured-output mode in use: json_schema, json_object_schema, json_object or text."""
        return self.endpoint.mode

    async def aclose(self) -> None:
        """Keep what was learned about the endpoint and close the HTTP client."""
        if self.cards.lengths.changed:
            self.endpoint.memory.record(
                self.endpoint.url, self.cfg.model, Learned(answer_tokens=self.cards.lengths.longest)
            )
        await self.endpoint.aclose()

    async def analyze(self, commit: Commit, score: Score) -> Analysis:
        """The commit's analysis: DONE with a card, FAILED with a reason, or PENDING for the next run."""
        usage = Usage()
        started = time.monotonic()
        status, card, error, unusable = AnalysisStatus.PENDING, None, None, 0
        try:
            card = await self._analyze(commit, score, usage)
            status = AnalysisStatus.DONE
        except Unusable as e:  # shown with its heuristic card; retried on a later run within max_attempts
            status, card, unusable = (
                AnalysisStatus.FAILED,
                heuristic_card(commit, score, self.language),
                e.answers,
            )
            error = t(self.language, "answer_unusable", reason=e.reason)
        except Stopped as e:
            self._left_pending += 1
            error = _STOPPED[e.reason].format(status=self.endpoint.auth_status)
        except GaveUp as e:
            error = str(e)
        except (openai.APIConnectionError, openai.APIStatusError) as e:
            error = f"LLM endpoint unavailable: {type(e).__name__}"
        except Failed as e:
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
            prompt_tokens=usage.prompt_tokens,
            completion_tokens=usage.completion_tokens,
            llm_calls=usage.llm_calls,
            latency_ms=int((time.monotonic() - started) * 1000),
            attempts=1 if usage.llm_calls else 0,
            error=error,
            unusable_answers=unusable,
        )

    async def _analyze(self, commit: Commit, score: Score, usage: Usage) -> Card:
        if self.endpoint.stop:
            raise Stopped(self.endpoint.stop)
        await self.requester.learn_window()
        answer = self.cards.lengths.limit(score.importance)
        budget = self.requester.budget(self.cfg.prompt_tokens, answer)
        grounds = checks.commit_names(commit)  # a usable card names something of these; once, not per shrink
        for _ in range(_SHRINKS + 1):
            try:
                return await self._within(commit, score, budget, usage, grounds)
            except ContextTooLong as e:
                learned = self.requester.budget(self.cfg.prompt_tokens, answer)
                budget = learned if e.learned and learned < budget else int(budget * _SHRINK)
                budget = max(_MIN_BUDGET, budget)
        raise Failed("prompt too long for the endpoint even after shrinking")

    def _overhead(self, score: Score) -> int:
        """Tokens of a card prompt besides the commit content, in the costliest mode."""
        msgs = prompts.merge_messages(
            "", [], score.importance, score.reasons, self.language, "text", terse=True
        )
        return estimate(msgs) + 32

    async def _within(
        self, commit: Commit, score: Score, budget: int, usage: Usage, grounds: frozenset[str]
    ) -> Card:
        hint, reasons, lang = score.importance, score.reasons, self.language
        facts = prompts.interfaces_block(score.interfaces)  # inside the commit data: names come from upstream
        room = budget - self._overhead(score) - estimate_tokens(facts)
        parts = pack(commit, room, self.cfg.max_calls_per_commit)
        if len(parts) == 1:
            text = facts + parts[0].text
            card = await self.cards.card(
                lambda m, t: prompts.card_messages(text, hint, reasons, lang, m, t),
                hint,
                budget,
                usage,
                grounds,
            )
        else:
            head = facts + overview(commit, room // 3)
            merged = await parts_then_merge(
                [p.text for p in parts],
                lambda text, _i, _n: self._notes(text, usage),
                lambda notes: self.cards.card(
                    lambda m, t: prompts.merge_messages(head, notes, hint, reasons, lang, m, t),
                    hint,
                    budget,
                    usage,
                    grounds,
                ),
                room,
                head,
            )
            assert merged is not None  # every part gives notes
            card = merged
        ours = parts[0].not_read
        card.not_read = ours + [
            x for x in card.not_read if x not in ours and x.strip().lower() not in ("", "none")
        ]
        if card.importance is Importance.LOW:
            card.summary, card.insight = card.summary[:1], Insight()
        return card

    async def _notes(self, content: str, usage: Usage) -> str:
        msgs = prompts.notes_messages(content, self.language)
        # no second try when cut off: the merge clips each part's notes to fewer tokens than this anyway
        text, finish, *_ = await self.requester.complete(
            lambda _m, _t: msgs, _NOTES_TOKENS, usage, structured=False
        )
        cut = checks.cut_runaway(text)  # a looping model's notes keep what it said before the loop
        return cut + (" (notes cut off)" if finish == "length" or cut != text else "")
