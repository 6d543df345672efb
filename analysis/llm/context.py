"""The endpoint's context window: read from what the server publishes or says when a prompt is too long."""

from __future__ import annotations

import re
from typing import Any

import httpx

_WINDOW_RE = re.compile(
    r"(?:maximum context length|context length|context window|context size|n_ctx)\D{0,40}?(\d[\d,]*)", re.I
)
_ASKED_RE = re.compile(r"(\d[\d,]*) in the messages|(\d[\d,]*) input tokens", re.I)
_LISTING_KEYS = ("max_model_len", "context_length", "context_window", "max_context_length")
_MARGIN = 64  # tokens kept free of prompt and answer: chat template, rounding


def _int(text: str | None) -> int | None:
    return int(text.replace(",", "")) if text else None


def from_error(message: str) -> tuple[int | None, int | None]:
    """(context window, tokens the server counted in our messages) from a context-length error."""
    window = _int(m.group(1)) if (m := _WINDOW_RE.search(message)) else None
    asked = None
    if m := _ASKED_RE.search(message):
        asked = _int(next(g for g in m.groups() if g))
    return window, asked


def from_listing(body: Any, model: str) -> int | None:
    """The context window a models listing (vLLM, LM Studio, OpenRouter) gives for `model`."""
    data = body.get("data") if isinstance(body, dict) else None
    for entry in data if isinstance(data, list) else []:
        if not isinstance(entry, dict) or entry.get("id") != model:
            continue
        for key in _LISTING_KEYS:
            value = entry.get(key)
            if isinstance(value, int) and value > 0:
                return value
    return None


def from_props(body: Any) -> int | None:
    """The context window llama.cpp's server gives in its /props."""
    settings = body.get("default_generation_settings") if isinstance(body, dict) else None
    value = settings.get("n_ctx") if isinstance(settings, dict) else None
    return value if isinstance(value, int) and value > 0 else None


async def discover(base_url: str, model: str, api_key: str, timeout: float) -> tuple[int | None, int | None]:
    """The context window the endpoint publishes for `model` and its parallel slots (llama.cpp's /props
    `total_slots`), each None when it publishes none."""
    base = base_url.rstrip("/")
    root = base.removesuffix("/v1")
    headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
    window = None
    async with httpx.AsyncClient(timeout=min(timeout, 10.0), headers=headers) as http:
        for url in (f"{base}/models", f"{root}/props"):
            try:
                resp = await http.get(url)
                body = resp.json() if resp.status_code == 200 else None
            except (httpx.HTTPError, ValueError):
                continue
            if url.endswith("/props"):
                return window or from_props(body), slots_from(body)
            window = from_listing(body, model)
            if window:
                return window, None
    return window, None


def slots_from(body: Any) -> int | None:
    """The parallel slots in llama.cpp's /props (`total_slots`); None when it gives none."""
    value = body.get("total_slots") if isinstance(body, dict) else None
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def prompt_budget(configured: int, window: int | None, answer: int, ratio: float | None) -> int:
    """Estimated prompt tokens allowed: the configured budget, within the window less the answer's room."""
    if not window:
        return configured
    room = (window - answer - _MARGIN) / max(1.0, ratio or 1.0)
    return max(0, min(configured, int(room)))


def answer_room(window: int | None, prompt_estimate: int, ratio: float | None, wanted: int) -> int:
    """The completion limit that fits the window after a prompt of `prompt_estimate` estimated tokens."""
    if not window:
        return wanted
    left = window - int(prompt_estimate * max(1.0, ratio or 1.0)) - _MARGIN
    return min(wanted, left)
