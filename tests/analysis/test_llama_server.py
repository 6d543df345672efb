"""A real day against a real local model server (llama.cpp); opt-in, skipped when no server answers.

Start one with llama-cpp-python's server (e.g. `python -m llama_cpp.server --model gemma-3-270m.gguf
--port 8090 --n_ctx 8192`) or set LLAMA_SERVER_URL to an OpenAI-compatible base URL, and LLAMA_MODEL
to its model name.
"""

from __future__ import annotations

import os
import urllib.request

import pytest

from analysis.config import LLMConfig, PipelineConfig
from analysis.models import AnalysisStatus
from analysis.pipeline import run_digest
from analysis.store import llm_endpoints
from storage import db as store
from tests.realday import DAY, build_busy_day

_URL = os.environ.get("LLAMA_SERVER_URL", "http://127.0.0.1:8090/v1").rstrip("/")
_MODEL = os.environ.get("LLAMA_MODEL", "gemma3-270m")


def _answers() -> bool:
    try:
        with urllib.request.urlopen(f"{_URL}/models", timeout=2):
            return True
    except OSError:
        return False


pytestmark = [
    pytest.mark.llama,
    pytest.mark.skipif(
        not (os.environ.get("LLAMA_SERVER_URL") or _answers()), reason="no local model server answers"
    ),
]


@pytest.mark.timeout(1800)
async def test_a_busy_day_gets_every_card_in_one_run_and_none_again(tmp_path):
    """Every commit gets, in one run, a card that says something of it or its heuristic card with a note (a small
    model's answer can say nothing); none fails for length, and a second run asks nothing."""
    repo = build_busy_day(tmp_path / "kernels")
    db = store.open_db(tmp_path / "digest.db")
    llm = LLMConfig(api_key="sk-local", model=_MODEL, base_url=_URL, timeout=120.0, deadline=1500.0)
    cfg = PipelineConfig(repos=[str(repo.path)], llm=llm)
    first = await run_digest(db, cfg, day=DAY)
    entries = first.repos[0].entries
    assert first.repos[0].error is None
    assert all("said nothing usable" in alert for alert in first.alerts)  # only a model too small is told
    assert len(entries) == 5
    for e in entries:
        a = e.analysis
        assert a.status in (AnalysisStatus.DONE, AnalysisStatus.FAILED), a.error
        assert a.card is not None and a.card.summary
        assert a.status is AnalysisStatus.DONE or "answer was unusable" in (a.error or ""), a.error
    learned = llm_endpoints.learned_about(db, _URL, _MODEL)
    assert learned.mode in ("json_object_schema", "json_schema")
    second = await run_digest(db, cfg, day=DAY)
    assert second.usage.llm_calls == 0
    assert [e.analysis.status for e in second.repos[0].entries] == [e.analysis.status for e in entries]
