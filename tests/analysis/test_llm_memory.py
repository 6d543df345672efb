"""Endpoint addresses as stored and shown carry no credentials."""

from __future__ import annotations

import pytest

from analysis.llm.memory import Learned, RunMemory, endpoint_key


def test_the_stored_address_drops_credentials_and_query():
    assert endpoint_key("https://user:sk-secret@llm.example.com:8443/v1/?api-key=sk-2#x") == (
        "https://llm.example.com:8443/v1"
    )
    assert endpoint_key("http://127.0.0.1:8090/v1/") == "http://127.0.0.1:8090/v1"


def test_run_memory_merges_what_is_learned():
    memory = RunMemory()
    memory.record("e", "m", Learned(mode="json_object"))
    memory.record("e", "m", Learned(context_tokens=8192))
    assert memory.recall("e", "m") == Learned(mode="json_object", context_tokens=8192)
    assert memory.recall("e", "other") == Learned()


def test_speed_is_fitted_from_answers_and_limits_the_answer_to_the_timeout():
    from analysis.llm.speed import Speed

    speed = Speed()
    assert speed.max_answer(1000, 90.0) is None  # nothing measured yet
    for prompt, answer in [(1000, 100), (4000, 300), (500, 800), (3000, 50)]:
        speed.add(prompt, answer, prompt / 200 + answer / 20)  # 200 prompt tokens/s, 20 answer tokens/s
    assert speed.max_answer(4000, 90.0) == pytest.approx((90 - 20) * 20, abs=2)
    assert speed.max_answer(20000, 90.0) == 0
