"""What a run's tokens cost at the configured prices."""

from __future__ import annotations

from analysis.config import LLMConfig


def cost_usd(prompt_tokens: int, completion_tokens: int, cfg: LLMConfig) -> float | None:
    """The estimated cost of the tokens at the configured prices; None when no price is set."""
    if cfg.price_input_per_mtok is None and cfg.price_output_per_mtok is None:
        return None
    cost = prompt_tokens * (cfg.price_input_per_mtok or 0) + completion_tokens * (
        cfg.price_output_per_mtok or 0
    )
    return round(cost / 1_000_000, 6)
