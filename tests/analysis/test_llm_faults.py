"""Slow, serial, silent and odd endpoints: every fault ends in cards or pending commits, never a lost digest."""

from __future__ import annotations

import datetime as dt
import time

import pytest

from analysis.config import PipelineConfig
from analysis.llm.cards import ANSWER_TOKENS
from analysis.llm.memory import Learned, RunMemory
from analysis.models import AnalysisStatus, Importance
from analysis.pipeline import run_digest
from analysis.store import llm_endpoints
from storage import db as store
from tests.analysis.llm_support import analyze_all, commit, config, day_repo
from tests.fakes.chat import ChatServer

DAY = dt.date(2026, 1, 24)


async def test_a_serial_server_is_met_at_one_request_at_a_time_and_nothing_times_out(tmp_path):
    db = store.open_db(tmp_path / "digest.db")
    repo = day_repo(tmp_path / "engine", 8)
    # one request at a time; about 0.2 s per card; eight commits; the configured concurrency is 8
    with ChatServer(serial=True, prompt_tps=20000, gen_tps=4000, latency=0.1) as server:
        cfg = PipelineConfig(repos=[str(repo.path)], llm=config(server, timeout=2.0))
        digest = await run_digest(db, cfg, day=DAY)
        assert [e.analysis.status for e in digest.repos[0].entries] == [AnalysisStatus.DONE] * 8
        assert server.computed_for_nobody == 0 and all(r.status == 200 for r in server.requests)
        # the first-contact burst is the only time more than one request is in flight
        assert len(server.probes) == server.peak == 8 and max(r.in_flight for r in server.requests) == 1
        assert llm_endpoints.learned_about(db, server.base_url, "test-model").concurrency == 1
        peak_before = server.peak
        server.peak = 0
        more = day_repo(tmp_path / "more", 4)
        await run_digest(db, PipelineConfig(repos=[str(more.path)], llm=cfg.llm), day=DAY)
    assert server.peak == 1 and peak_before == 8  # the next run starts at what was learned, with no burst


async def test_a_serial_server_whose_tiny_answers_are_quicker_than_http_is_still_met_at_one(tmp_path):
    db = store.open_db(tmp_path / "digest.db")
    repo = day_repo(tmp_path / "engine", 3)
    # a small model on a CPU: a few milliseconds per token, so a one-token answer hides behind the HTTP and
    # templating every request goes through at once before it queues
    with ChatServer(serial=True, overhead=0.02, prompt_tps=4000, gen_tps=250) as server:
        cfg = PipelineConfig(repos=[str(repo.path)], llm=config(server, timeout=5.0))
        await run_digest(db, cfg, day=DAY)
        assert server.probes and all(r.completion_tokens > 1 for r in server.probes)
    assert llm_endpoints.learned_about(db, server.base_url, "test-model").concurrency == 1


async def test_a_parallel_server_gets_more_at_once():
    with ChatServer(latency=0.3) as server:
        analyzer, results = await analyze_all(server, [commit(i) for i in range(12)], concurrency=8)
    assert all(r.status is AnalysisStatus.DONE for r in results)
    assert analyzer.limiter.limit >= 4 and server.peak >= 4


async def test_after_a_timeout_no_retry_is_sent_while_the_abandoned_request_is_computed():
    memory = RunMemory()
    memory.record("x", "y", Learned())
    with ChatServer(serial=True, latency=0.6) as server:
        memory.record(server.base_url, "test-model", Learned(concurrency=2))  # wrongly thought parallel
        analyzer, results = await analyze_all(server, [commit(1), commit(2)], memory, timeout=1.0)
    assert [r.status for r in results] == [AnalysisStatus.DONE] * 2
    abandoned = [r for r in server.requests if r.abandoned]
    assert len(abandoned) == 1 and analyzer.endpoint.timeouts == 1
    retry = next(r for r in server.requests if r.body == abandoned[0].body and not r.abandoned)
    assert retry.computing >= abandoned[0].finished  # the server was free when the retry arrived
    assert analyzer.limiter.limit == 1


@pytest.mark.parametrize("odd", ["html", "ok_true", "no_choices"])
async def test_an_answer_that_is_not_a_completion_leaves_that_commit_pending(tmp_path, odd):
    db = store.open_db(tmp_path / "digest.db")
    repo = day_repo(tmp_path / "engine", 4)

    def fault(req):
        return odd if "src/layers/l2.py" in req.user_text else None

    with ChatServer(faults=fault) as server:
        cfg = PipelineConfig(repos=[str(repo.path)], llm=config(server, concurrency=1))
        digest = await run_digest(db, cfg, day=DAY)
    rd = digest.repos[0]
    assert rd.error is None and not digest.alerts
    by_path = {e.commit.files[0].path: e.analysis for e in rd.entries}
    bad = by_path.pop("src/layers/l2.py")
    assert bad.status is AnalysisStatus.PENDING and bad.llm_calls == 2  # asked again once
    assert bad.error.startswith("LLM endpoint answered badly: the endpoint")
    assert all(a.status is AnalysisStatus.DONE for a in by_path.values())


async def test_an_endpoint_answering_html_to_everything_is_stopped_with_one_alert(tmp_path):
    db = store.open_db(tmp_path / "digest.db")
    repo = day_repo(tmp_path / "engine", 8)
    with ChatServer(faults=lambda req: "html") as server:
        cfg = PipelineConfig(repos=[str(repo.path)], llm=config(server, concurrency=1))
        digest = await run_digest(db, cfg, day=DAY)
    assert digest.repos[0].error is None
    assert {e.analysis.status for e in digest.repos[0].entries} == {AnalysisStatus.PENDING}
    assert len(server.requests) == 8  # eight answers that are not completions, then no more
    [alert] = digest.alerts
    assert "an HTML page" in alert and "OPENAI_BASE_URL" in alert and "8 commits left pending" in alert


async def test_an_endpoint_that_never_answers_costs_one_timeout_per_slot(tmp_path):
    db = store.open_db(tmp_path / "digest.db")
    repo = day_repo(tmp_path / "engine", 6)
    with ChatServer(faults=lambda req: "silent") as server:
        store_llm = config(server, timeout=0.5, concurrency=3)
        llm_endpoints.keep_learned(db, server.base_url, "test-model", llm_endpoints.Learned(concurrency=3))
        cfg = PipelineConfig(repos=[str(repo.path)], llm=store_llm)
        started = time.monotonic()
        digest = await run_digest(db, cfg, day=DAY)
        wall = time.monotonic() - started
        assert len(server.requests) <= 3 + 2  # one per slot, and two tiny probes
    assert wall < 3.0
    assert digest.repos[0].error is None
    assert {e.analysis.status for e in digest.repos[0].entries} == {AnalysisStatus.PENDING}
    [alert] = digest.alerts
    assert "did not answer within 0.5 s" in alert and "6 commits left pending" in alert


async def test_the_deadline_posts_what_is_done_and_leaves_the_rest_pending(tmp_path):
    db = store.open_db(tmp_path / "digest.db")
    repo = day_repo(tmp_path / "engine", 8)
    # 0.4 s per card on a CPU server; a one-token answer (the first-contact burst) takes a fraction of it
    with ChatServer(serial=True, latency=0.4, probe_latency=0.05) as server:
        cfg = PipelineConfig(repos=[str(repo.path)], llm=config(server, deadline=1.5))
        started = time.monotonic()
        first = await run_digest(db, cfg, day=DAY)
        wall = time.monotonic() - started
        statuses = [e.analysis.status for e in first.repos[0].entries]
        assert wall < 2.5 and first.repos[0].error is None
        assert 1 <= statuses.count(AnalysisStatus.DONE) < 8
        assert statuses.count(AnalysisStatus.PENDING) == 8 - statuses.count(AnalysisStatus.DONE)
        [alert] = first.alerts
        assert "too slow for this run" in alert and "DIGEST_LLM_DEADLINE" in alert
        cfg.llm.deadline = None
        second = await run_digest(db, cfg, day=DAY)
    assert [e.analysis.status for e in second.repos[0].entries] == [AnalysisStatus.DONE] * 8
    assert second.alerts == []


async def test_answers_are_limited_to_what_a_slow_server_writes_before_the_timeout():
    with ChatServer(serial=True, prompt_tps=5000, gen_tps=600) as server:
        _, results = await analyze_all(server, [commit(i) for i in range(6)], timeout=6.0, concurrency=1)
    assert all(r.status is AnalysisStatus.DONE for r in results)
    limits = [r.max_tokens for r in server.requests]
    assert limits[:3] == [ANSWER_TOKENS[Importance.HIGH]] * 3  # nothing measured yet: what a card needs
    assert all(m <= 0.75 * 6.0 * 600 for m in limits[3:])  # what it writes in three quarters of the timeout
