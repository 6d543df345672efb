"""The pipeline with a FakeAnalyzer chosen through the analyzer registry: no chat server at all."""

from __future__ import annotations

import datetime as dt

import pytest

from analysis import store
from analysis.config import LLMConfig, PipelineConfig
from analysis.llm import UnknownProvider, make_analyzer
from analysis.models import AnalysisStatus
from analysis.pipeline import run_digest
from storage.db import open_db
from tests.fakes.analyzer import FakeAnalyzer, registered
from tests.gitrepo import GitRepo

DAY = dt.date(2026, 1, 24)


def _repo(tmp_path) -> GitRepo:
    repo = GitRepo(tmp_path / "engine")
    for i in range(4):
        repo.commit(
            f"[Feature] Add layer {i} (#{300 + i})",
            {f"src/layers/l{i}.py": "".join(f"v{j} = {j}\n" for j in range(5 + i))},
            date=f"2026-01-24T0{i + 1}:00:00+00:00",
        )
    return repo


async def test_a_run_with_the_fake_analyzer_and_a_warm_rerun(tmp_path):
    repo = _repo(tmp_path)
    db = open_db(tmp_path / "digest.db")
    fake = FakeAnalyzer(
        fail=lambda c: c.title.startswith("[Feature] Add layer 1"),
        pending=lambda c: c.title.startswith("[Feature] Add layer 2"),
    )
    with registered(fake) as llm:
        cfg = PipelineConfig(repos=[str(repo.path)], llm=llm)
        first = await run_digest(db, cfg, day=DAY)
        by_title = {e.commit.title: e.analysis for e in first.repos[0].entries}
        assert by_title["[Feature] Add layer 0 (#300)"].status is AnalysisStatus.DONE
        assert by_title["[Feature] Add layer 0 (#300)"].card.impact_scope == ["src/layers/l0.py"]
        assert by_title["[Feature] Add layer 1 (#301)"].status is AnalysisStatus.FAILED
        assert by_title["[Feature] Add layer 2 (#302)"].status is AnalysisStatus.PENDING
        assert len(fake.calls) == 4 and fake.runs == fake.closed == 1
        assert first.usage.llm_calls == 4

        fake.pending = lambda c: False
        second = await run_digest(db, cfg, day=DAY)
    statuses = sorted(e.analysis.status.value for e in second.repos[0].entries)
    assert statuses == ["done", "done", "done", "failed"]
    assert len(fake.calls) == 6  # the pending commit and the failed one (under its attempt cap) again
    stored = store.get_analyses(db, second.repos[0].repo, [e.commit.sha for e in second.repos[0].entries])
    assert {a.model for a in stored.values()} == {"fake-model"}


def test_an_unknown_provider_is_a_clear_error():
    cfg = PipelineConfig(llm=LLMConfig(api_key="k", provider="nobody"))
    with pytest.raises(UnknownProvider, match="no analyzer named 'nobody'; known: .*openai"):
        make_analyzer(cfg)
