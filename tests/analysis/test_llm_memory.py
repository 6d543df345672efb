"""Endpoint addresses as stored and shown carry no credentials."""

from __future__ import annotations

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
