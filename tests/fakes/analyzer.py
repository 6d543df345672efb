"""A FakeAnalyzer registered like a real analyzer, for pipeline tests where the LLM is not the subject."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from analysis.config import LLMConfig
from analysis.llm import EndpointMemory, Requester, register_analyzer, unregister_analyzer
from analysis.llm.failures import StopReason
from analysis.models import Analysis, AnalysisStatus, Card, Commit, Score

Match = Callable[[Commit], bool]


def _never(commit: Commit) -> bool:
    return False


@dataclass
class FakeAnalyzer:
    """Deterministic cards made from the commit itself; counts calls; told which commits fail or stay pending."""

    model: str = "fake-model"
    prompt_version: str = "fake-1"
    fail: Match = _never  # these commits end FAILED with a reason
    pending: Match = _never  # these commits stay PENDING for the next run
    alerts: list[str] = field(default_factory=list)
    auth_failed: bool = False
    stopped: StopReason | None = None  # why the real analyzer would make no more calls this run
    calls: list[str] = field(default_factory=list)  # SHAs, one per analyze() call
    runs: int = 0  # analyzers built (one per run)
    closed: int = 0
    language: str = "en"
    requester: Requester | None = None  # no endpoint: the day's overview is the heuristic one

    def build(self, cfg: LLMConfig, language: str, memory: EndpointMemory | None = None) -> FakeAnalyzer:
        """The registry's factory: this same fake, so a test reads what every run did."""
        self.model, self.language = cfg.model, language
        self.runs += 1
        return self

    async def analyze(self, commit: Commit, score: Score) -> Analysis:
        """A DONE card naming the commit's title and files, or FAILED/PENDING as told."""
        self.calls.append(commit.sha)
        result = Analysis(
            sha=commit.sha,
            status=AnalysisStatus.DONE,
            scored=score.importance,
            reasons=list(score.reasons),
            model=self.model,
            prompt_version=self.prompt_version,
            language=self.language,
            llm_calls=1,
            attempts=1,
        )
        if self.pending(commit):
            result.status, result.error, result.attempts = AnalysisStatus.PENDING, "told to wait", 0
        elif self.fail(commit):
            result.status, result.error = AnalysisStatus.FAILED, "told to fail"
        else:
            paths = [f.path for f in commit.files]
            result.card = Card(
                change_type=score.change_type,
                importance=score.importance,
                importance_reason="; ".join(score.reasons[:1]),
                summary=[commit.title or commit.sha[:7]],
                impact_scope=paths[:5],
                conclusion=f"{len(paths)} files changed.",
            )
        return result

    async def aclose(self) -> None:
        """Count the close, as a run's end does."""
        self.closed += 1


@contextmanager
def registered(fake: FakeAnalyzer, name: str = "fake") -> Iterator[LLMConfig]:
    """Register `fake` as provider `name` for the block; yields the LLMConfig that selects it."""
    register_analyzer(name, fake.build)
    try:
        yield LLMConfig(api_key="", provider=name, model=fake.model)
    finally:
        unregister_analyzer(name)
