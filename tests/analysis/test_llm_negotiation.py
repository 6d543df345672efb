"""Structured-output modes and the context window, negotiated with the endpoint and remembered."""

from __future__ import annotations

import pytest

from analysis.llm.memory import RunMemory, SqliteMemory
from analysis.models import AnalysisStatus
from analysis.store import llm_endpoints
from storage import db as store
from tests.analysis.llm_support import analyze_all, big_commit, commit
from tests.fakes.chat import ChatServer


@pytest.mark.parametrize("status", [500, 422, 400])
async def test_a_refused_json_schema_steps_to_the_schema_in_json_object_whatever_the_status(status):
    memory = RunMemory()
    with ChatServer(json_schema_refusal=status) as server:
        first, results = await analyze_all(server, [commit(1), commit(2)], memory, concurrency=1)
        _, later = await analyze_all(server, [commit(3)], memory, concurrency=1)
    assert [r.status for r in results + later] == [AnalysisStatus.DONE] * 3
    sent = [(r.response_format, r.schema_attached, r.status) for r in server.requests]
    assert sent[0] == ("json_schema", False, status)  # refused once, never retried as a fault
    assert sent[1:] == [("json_object", True, 200)] * 3  # the next run starts where this one ended
    assert first.mode == "json_object_schema"


async def test_a_plain_500_is_still_a_passing_fault_and_retried():
    with ChatServer(faults=["500"]) as server:
        analyzer, [a] = await analyze_all(server, [commit()])
    assert a.status is AnalysisStatus.DONE and analyzer.mode == "json_schema"
    assert [r.status for r in server.requests] == [500, 200]


async def test_the_mode_is_kept_in_sqlite_for_the_next_run(tmp_path):
    db = store.open_db(tmp_path / "digest.db")
    with ChatServer(json_schema_refusal=500) as server:
        await analyze_all(server, [commit(1)], SqliteMemory(db), concurrency=1)
        row = llm_endpoints.learned_about(db, server.base_url, "test-model")
        assert row.mode == "json_object_schema"
        again = store.open_db(tmp_path / "digest.db")  # a later process
        await analyze_all(server, [commit(2)], SqliteMemory(again), concurrency=1)
    assert [r.response_format for r in server.requests] == ["json_schema", "json_object", "json_object"]


async def test_the_context_window_is_learned_from_the_first_refusal_and_remembered(tmp_path):
    db = store.open_db(tmp_path / "digest.db")
    # the server's tokenizer counts 30% more than the estimate, and its window is 3,000 tokens
    with ChatServer(context_limit=3000, token_scale=1.3) as server:
        _, [a] = await analyze_all(server, [big_commit(1)], SqliteMemory(db))
        first = list(server.requests)
        _, [b] = await analyze_all(server, [big_commit(2)], SqliteMemory(db))
        second = server.requests[len(first) :]
    assert a.status is b.status is AnalysisStatus.DONE
    assert [r.status for r in first] == [400] + [200] * (len(first) - 1)  # one refusal, then all fit
    assert all(r.status == 200 for r in second)  # the next run never sends a prompt that is too long
    for r in first[1:] + second:
        assert r.prompt_tokens + r.max_tokens <= 3000  # room for the answer too
    row = llm_endpoints.learned_about(db, server.base_url, "test-model")
    assert row.context_tokens == 3000 and row.token_ratio >= 1.3


async def test_the_context_window_is_read_from_a_models_listing():
    with ChatServer(context_limit=4000, max_model_len=4000) as server:
        _, [a] = await analyze_all(server, [big_commit()])
    assert a.status is AnalysisStatus.DONE
    assert all(r.status == 200 and r.prompt_tokens + r.max_tokens <= 4000 for r in server.requests)
    assert server.gets == ["/v1/models"]


async def test_an_endpoint_that_publishes_no_window_is_asked_once(tmp_path):
    db = store.open_db(tmp_path / "digest.db")
    with ChatServer() as server:
        await analyze_all(server, [commit(1)], SqliteMemory(db))
        await analyze_all(server, [commit(2)], SqliteMemory(db))
    assert server.gets == ["/v1/models", "/props"]  # the first run only
    assert llm_endpoints.learned_about(db, server.base_url, "test-model").context_tokens == 0
