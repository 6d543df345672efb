"""Plain configuration objects the composition root (`bot`) hands to `analysis`."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class LLMConfig:
    """How to reach and use the chat-completions endpoint."""

    api_key: str  # the plain key, unwrapped from SecretStr only at the call site
    provider: str = "openai"  # the registered analyzer that writes the cards
    model: str = "gpt-4o-mini"
    base_url: str | None = None
    prompt_tokens: int = 12000  # budget per prompt, by the project's own estimate
    max_calls_per_commit: int = 4
    concurrency: int = 32
    timeout: float = 120.0
    deadline: float | None = 900.0  # seconds of LLM work per run; then the rest stays pending
    max_attempts: int = 5  # runs after which a failed analysis is no longer retried
    price_input_per_mtok: float | None = None
    price_output_per_mtok: float | None = None


@dataclass
class SourceConfig:
    """Where commits come from."""

    github_api_url: str = "https://api.github.com"
    github_token: str | None = None
    branch: str | None = None  # None: the repository's default branch, read from the source every run
    git_fetch: bool = True  # a local clone fetches origin before it is read
    git_fetch_timeout: float = 60.0  # seconds a clone's fetch may take; then the run reads what the clone has


@dataclass
class PipelineConfig:
    """Everything one digest run needs besides the database."""

    repos: list[str] = field(default_factory=list)
    timezone: str = "UTC"
    language: str = "en"
    source: SourceConfig = field(default_factory=SourceConfig)
    llm: LLMConfig | None = None  # None: heuristic cards only
    reanalyze: bool = False
    max_new_commits: int = 300  # new commits read per repository and run; the rest wait for the next run
    interfaces: bool = True  # compute each commit's interface changes (DIGEST_INTERFACES)
