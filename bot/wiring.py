"""Turn settings into the plain configuration objects `analysis` takes."""

from __future__ import annotations

from analysis.config import LLMConfig, PipelineConfig, SourceConfig
from bot.settings import Settings


def pipeline_config(
    settings: Settings, repos: list[str] | None = None, *, reanalyze: bool = False
) -> PipelineConfig:
    """The pipeline configuration for `repos` (default: DIGEST_REPOS)."""
    token = settings.github_token.get_secret_value() if settings.github_token else None
    llm = None
    if settings.llm_enabled:
        assert settings.openai_api_key is not None
        llm = LLMConfig(
            api_key=settings.openai_api_key.get_secret_value(),
            model=settings.digest_llm_model,
            base_url=settings.openai_base_url,
            prompt_tokens=settings.digest_prompt_tokens,
            max_calls_per_commit=settings.digest_max_calls_per_commit,
            concurrency=settings.digest_llm_concurrency,
            timeout=settings.digest_llm_timeout,
            deadline=settings.digest_llm_deadline,
            max_attempts=settings.digest_max_attempts,
            price_input_per_mtok=settings.digest_price_input_per_mtok,
            price_output_per_mtok=settings.digest_price_output_per_mtok,
        )
    return PipelineConfig(
        repos=list(repos or settings.digest_repos),
        timezone=settings.digest_timezone,
        language=settings.digest_language,
        source=SourceConfig(settings.github_api_url, token, settings.digest_branch),
        llm=llm,
        reanalyze=reanalyze,
    )
