"""Commit analysis by a language model: the Analyzer protocol and the registry that builds one per run."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

import sqlite_utils

from analysis.config import LLMConfig, PipelineConfig
from analysis.llm.failures import StopReason, UnknownProvider
from analysis.llm.memory import EndpointMemory, Learned, SqliteMemory
from analysis.llm.parse import MalformedAnswer, parse_card
from analysis.llm.pricing import cost_usd
from analysis.llm.request import Requester
from analysis.models import Analysis, Commit, Score

if TYPE_CHECKING:  # the OpenAI client loads when an analyzer is built, not when this package is imported
    from analysis.llm.client import LLMAnalyzer

__all__ = [
    "Analyzer",
    "AnalyzerFactory",
    "EndpointMemory",
    "Learned",
    "LLMAnalyzer",
    "MalformedAnswer",
    "Requester",
    "UnknownProvider",
    "cost_usd",
    "make_analyzer",
    "parse_card",
    "register_analyzer",
    "unregister_analyzer",
]


class Analyzer(Protocol):
    """What the pipeline needs of an analyzer: one instance per run."""

    @property
    def prompt_version(self) -> str:
        """The version of the prompts; a stored card with another version is redone."""
        ...

    @property
    def alerts(self) -> list[str]:
        """Endpoint-health problems of this run, at most one per kind."""
        ...

    @property
    def auth_failed(self) -> bool:
        """True once the endpoint refused the key: the rest of the run makes no call."""
        ...

    @property
    def stopped(self) -> StopReason | None:
        """Why the rest of the run makes no call (key refused, no answer, deadline, unusable answers), or None."""
        ...

    @property
    def requester(self) -> Requester | None:
        """The run's requests besides cards (the day's overview), through the same endpoint; None when the
        analyzer makes no such request."""
        ...

    async def analyze(self, commit: Commit, score: Score) -> Analysis:
        """The commit's analysis: done with a card, failed with a reason, or pending."""
        ...

    async def aclose(self) -> None:
        """Release the analyzer's connections."""
        ...


# (llm config, language, where the endpoint's learned facts are kept) -> analyzer
AnalyzerFactory = Callable[[LLMConfig, str, EndpointMemory | None], Analyzer]

_FACTORIES: dict[str, AnalyzerFactory] = {}


def register_analyzer(name: str, factory: AnalyzerFactory) -> None:
    """Make `LLMConfig(provider=name)` build its analyzer with `factory`."""
    _FACTORIES[name] = factory


def unregister_analyzer(name: str) -> None:
    """Forget the analyzer registered as `name` (no error when there is none)."""
    _FACTORIES.pop(name, None)


def make_analyzer(cfg: PipelineConfig, db: sqlite_utils.Database | None = None) -> Analyzer | None:
    """The analyzer for this run, or None when no LLM is configured; `db` keeps what it learns."""
    if cfg.llm is None:
        return None
    factory = _FACTORIES.get(cfg.llm.provider)
    if factory is None:
        known = ", ".join(sorted(_FACTORIES))
        raise UnknownProvider(f"no analyzer named {cfg.llm.provider!r}; known: {known}")
    return factory(cfg.llm, cfg.language, SqliteMemory(db) if db is not None else None)


def _openai_analyzer(llm: LLMConfig, language: str, memory: EndpointMemory | None) -> Analyzer:
    """The OpenAI-compatible analyzer, its client imported only now."""
    from analysis.llm.client import LLMAnalyzer

    return LLMAnalyzer(llm, language, memory)


def __getattr__(name: str) -> Any:
    """`LLMAnalyzer` on first use, so importing this package does not load the OpenAI client."""
    if name == "LLMAnalyzer":
        from analysis.llm.client import LLMAnalyzer

        return LLMAnalyzer
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


register_analyzer("openai", _openai_analyzer)
