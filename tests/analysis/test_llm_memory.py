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


def test_an_answer_token_costs_at_least_its_slowest_and_more_after_a_timeout():
    from analysis.llm.speed import Speed

    # llama-cpp-python under a JSON grammar (seconds as its log gave them): the cost of a token grows with the
    # answer, so the least-squares fit of short answers promised 1,589 tokens in 90 s where 1,499 took 120 s
    speed = Speed()
    for prompt, answer, seconds in [(4134, 125, 27.16), (2985, 120, 19.25), (1667, 152, 15.96), (3529, 121, 22.49)]:
        speed.add(prompt, answer, seconds)
    sized = speed.max_answer(1372, 90.0)
    assert sized is not None and sized < 1499
    speed.timed_out(1372, sized, 120.0)  # not answered in 120 s: the next one is sized to what that allows
    again = speed.max_answer(1372, 90.0)
    assert again is not None and again <= sized * 90 / 120 + 1


def test_answers_held_to_a_format_are_timed_apart_from_free_ones():
    from analysis.llm.room import Room

    room = Room(Learned(context_tokens=8192), 120.0, lambda _learned: None)
    assert room.answer(1000, 1500, held=True) == 1500  # nothing measured: only the window limits it
    for prompt, answer in [(1000, 100), (4000, 300), (500, 449), (3000, 60)]:
        room.speeds[False].add(prompt, answer, prompt / 230 + answer * 0.042)  # plain notes: 42 ms a token
    free = room.answer(1300, 1500, held=False)
    assert room.answer(1300, 1500, held=True) == free  # held answers not measured yet: the free ones' speed
    for prompt, answer in [(1300, 150), (5000, 400), (2000, 500), (6000, 90)]:
        room.speeds[True].add(prompt, answer, prompt / 230 + answer * 0.107)  # under a grammar: 107 ms a token
    held = room.answer(1300, 1500, held=True)
    assert held < free and 1300 / 230 + held * 0.107 <= 0.75 * 120.0 + 1  # it finishes within the timeout
