"""How many requests an endpoint runs at once, measured at first contact with short bursts of tiny requests.

llama.cpp's server publishes its parallel slots (`total_slots` in GET /props, read with its context window
in analysis/llm/context.py). Other servers (llama-cpp-python, vLLM, hosted APIs) publish no such number:
BURST tiny requests (a short count, each from its own number so no prompt cache answers it, and a few tokens
so the server's work outweighs the HTTP around it) are sent at once while the published facts are read, and
the wall of the burst is compared with its fastest request. A server that queues answers them one after
another, evenly spaced (the gap between answers is a good share of the fastest, which also carried the
connections' setup); one that runs them together answers all in about the time of one, or in a few waves.
Every request of the burst is awaited: a serial server never computes one for nobody.
"""

from __future__ import annotations

import asyncio
import itertools
import random
import statistics
import time
from dataclasses import dataclass

import openai
from openai import AsyncOpenAI

BURST = 8  # tiny requests sent at once at first contact
PROMPT = "Count from {start} to {end}, separated by spaces."  # numbers of its own: no answer from a cache
PROBE_TOKENS = 16  # enough decoding that a server running one request at a time cannot hide it behind HTTP
_FULL = 0.75  # a burst that overlapped this share of its requests or more ran all of them at once
_SERIAL_GAP = 0.25  # answers typically this far apart (a share of the fastest) came one after another


@dataclass
class Burst:
    """What a burst showed: requests overlapped, the calls it made, and whether one timed out."""

    overlap: float
    calls: int
    timed_out: bool = False
    answered: bool = True  # False when a request was refused or lost (a 429, a connection error)

    @property
    def full(self) -> bool:
        """Whether every request of the burst ran at once (the endpoint may run more)."""
        return self.overlap >= _FULL * self.calls


async def burst(client: AsyncOpenAI, model: str, limit_param: str, n: int, timeout: float) -> Burst:
    """Send `n` tiny requests at once and measure how many the endpoint ran together; all are awaited.

    It is sent before the run does any other work (packing a huge commit would delay reading an answer
    and make parallel requests look queued)."""

    async def one() -> float:
        sent = time.monotonic()
        content = probe_prompt(random.randrange(10_000, 99_000))
        await client.chat.completions.create(
            model=model,
            messages=[{"role": "user", "content": content}],
            timeout=timeout,
            **{limit_param: PROBE_TOKENS},
        )
        return time.monotonic() - sent

    started = time.monotonic()
    results = await asyncio.gather(*(one() for _ in range(n)), return_exceptions=True)
    wall = time.monotonic() - started
    took = [r for r in results if isinstance(r, float)]
    timed_out = any(isinstance(r, openai.APITimeoutError) for r in results)
    if len(took) < n or wall <= 0:
        return Burst(1.0, n, timed_out, answered=False)
    took.sort()
    gaps = [later - sooner for sooner, later in itertools.pairwise(took)]
    if len(gaps) > 1 and statistics.median(gaps) >= _SERIAL_GAP * took[0]:
        return Burst(1.0, n, timed_out)  # answered one after another: the fastest also waited for its connection
    return Burst(n * took[0] / wall, n, timed_out)


def probe_prompt(start: int) -> str:
    """A tiny request's text: a short count from `start`."""
    return PROMPT.format(start=start, end=start + 20)


def level(found: Burst, ceiling: int) -> tuple[int, bool]:
    """The level to start at after a burst, and whether it is settled (no more probing upwards).

    A burst that ran all at once met a server that takes many: the configured ceiling, which 429s halve
    as always. One that timed out met a server that queues: one. One refused (429) or lost taught
    nothing: the limiter probes from one as it would without a burst."""
    if found.timed_out:
        return 1, True
    if not found.answered:
        return 1, False
    if found.full:
        return ceiling, True
    return max(1, min(ceiling, round(found.overlap))), True
