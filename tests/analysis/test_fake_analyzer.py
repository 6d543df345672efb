"""The pipeline with a FakeAnalyzer chosen through the analyzer registry: no chat server at all."""

from __future__ import annotations

import datetime as dt

import pytest

from analysis.analyze import mark_pending, resting
from analysis.config import LLMConfig, PipelineConfig
from analysis.fetch import CommitReader
from analysis.heal import heal
from analysis.llm import UnknownProvider, make_analyzer
from analysis.models import Analysis, AnalysisStatus, Card, Importance, Usage
from analysis.pipeline import run_digest
from analysis.sources.git import GitSource
from analysis.store import analyses as analysis_store
from analysis.store import commits as commit_store
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
    stored = analysis_store.get_analyses(
        db, second.repos[0].repo, [e.commit.sha for e in second.repos[0].entries]
    )
    assert {a.model for a in stored.values()} == {"fake-model"}


@pytest.mark.parametrize("stopped", [None, "unresponsive", "deadline"])
async def test_healing_fetches_nothing_once_the_analyzer_has_stopped(tmp_path, stopped):
    repo = _repo(tmp_path)
    db = open_db(tmp_path / "digest.db")
    source = GitSource(str(repo.path))
    [ref] = await source.describe([await source.resolve("HEAD")])
    assert ref.summary is not None
    commit_store.save_commit(db, ref.summary, detailed=False)  # listed by an earlier run, its diff never read
    fake = FakeAnalyzer(stopped=stopped)
    with registered(fake) as llm:
        cfg = PipelineConfig(repos=[str(repo.path)], llm=llm)
        mark_pending(db, ref.summary, cfg, None)
        reader, asked = CommitReader(db, source), source.requests
        await heal(db, cfg, reader, fake, Usage(), seen=set())
    if stopped is None:  # the same leftover is healed while the analyzer works
        assert (reader.fetched, fake.calls) == (1, [ref.sha])
    else:
        assert (reader.fetched, source.requests - asked, fake.calls) == (0, 0, [])
        assert analysis_store.get_analysis(db, source.repo, ref.sha).status is AnalysisStatus.PENDING


def test_an_unknown_provider_is_a_clear_error():
    cfg = PipelineConfig(llm=LLMConfig(api_key="k", provider="nobody"))
    with pytest.raises(UnknownProvider, match="no analyzer named 'nobody'; known: .*openai"):
        make_analyzer(cfg)


def test_an_unusable_answer_rests_for_the_model_and_prompt_that_gave_it_only(tmp_path):
    llm = LLMConfig(api_key="", model="m1")
    cfg = PipelineConfig(repos=[], llm=llm)
    now = dt.datetime.now(dt.UTC)
    card = Card(change_type="feature", importance=Importance.LOW, summary=["The heuristic card."])
    failed = Analysis("a" * 40, AnalysisStatus.FAILED, Importance.LOW, card, model="m1", prompt_version="p1")
    failed.updated_at = (now - dt.timedelta(minutes=5)).isoformat()
    assert resting(failed, cfg, "p1")
    assert not resting(failed, cfg, "p2")  # a new prompt tries at once
    assert not resting(failed, PipelineConfig(repos=[], llm=LLMConfig(api_key="", model="m2")), "p1")
    failed.updated_at = (now - dt.timedelta(hours=2)).isoformat()
    assert not resting(failed, cfg, "p1")  # a later run tries again
    failed.card = None  # failed for another reason (cut off, invalid after repair): the next run tries it
    failed.updated_at = now.isoformat()
    assert not resting(failed, cfg, "p1")
    pending = Analysis("b" * 40, AnalysisStatus.PENDING, Importance.LOW, model="m1", prompt_version="p1")
    pending.updated_at = now.isoformat()
    assert not resting(pending, cfg, "p1")  # an interrupted analysis is finished by the very next run
