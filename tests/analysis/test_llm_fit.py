"""First contact at the right level of parallelism, answers sized to a card, and cards that say something."""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Callable

import pytest

from analysis.config import PipelineConfig
from analysis.llm import LLMAnalyzer
from analysis.llm.cards import ANSWER_TOKENS
from analysis.llm.memory import RunMemory, endpoint_key
from analysis.models import AnalysisStatus, FileChange, Importance
from analysis.pipeline import run_digest
from analysis.store import llm_endpoints, runs
from bot.status import status_lines
from storage import db as store
from tests.analysis.llm_support import HIGH, analyze_all, commit, config, day_repo
from tests.fakes.chat import ChatServer, Request, plausible_card

DAY = dt.date(2026, 1, 24)


def _card_with(**fields) -> Callable[[Request], str]:
    """Answers: a plausible card for the prompt with `fields` replaced."""

    def answer(req: Request) -> str:
        return json.dumps({**plausible_card(req.user_text), **fields}, ensure_ascii=False)

    return answer


async def test_first_contact_with_a_wide_endpoint_reaches_a_high_level_in_seconds():
    latency = 0.5
    with ChatServer(latency=latency, slots=64) as server:
        started = time.monotonic()
        analyzer, results = await analyze_all(server, [commit(i) for i in range(40)], concurrency=64)
    assert all(r.status is AnalysisStatus.DONE for r in results)
    first = min(r.started for r in server.requests) - started
    assert first < 2 * latency + 1.0  # one short burst, then the real work
    early = [r for r in server.requests if r.started - started < first + latency / 2]
    assert len(early) >= 8 and max(r.in_flight for r in server.requests) >= 16  # the burst ran all eight
    assert len(server.probes) == 8 and analyzer.endpoint.probe_calls == 8
    assert analyzer.limiter.limit == 64


async def test_a_serial_endpoint_stays_at_one_and_computes_nothing_for_nobody():
    with ChatServer(serial=True, latency=0.2) as server:
        memory = RunMemory()
        analyzer, results = await analyze_all(server, [commit(i) for i in range(4)], memory, concurrency=8)
    assert all(r.status is AnalysisStatus.DONE for r in results)
    assert analyzer.limiter.limit == 1 and analyzer.limiter.settled
    assert len(server.probes) == 8 and all(p.status == 200 for p in server.probes)
    assert server.peak <= 8 and server.computed_for_nobody == 0
    assert max(r.in_flight for r in server.requests) == 1
    assert memory.recall(endpoint_key(server.base_url), "test-model").concurrency == 1


async def test_a_server_with_two_unpublished_slots_is_met_at_two():
    with ChatServer(latency=0.3, slots=2) as server:
        analyzer, results = await analyze_all(server, [commit(i) for i in range(6)], concurrency=8)
    assert all(r.status is AnalysisStatus.DONE for r in results)
    assert len(server.probes) == 8 and analyzer.limiter.limit == 2 and analyzer.limiter.settled


async def test_published_slots_are_honoured_over_the_burst():
    with ChatServer(latency=0.2, slots=3, props=True) as server:
        memory = RunMemory()
        analyzer, results = await analyze_all(server, [commit(i) for i in range(9)], memory, concurrency=8)
    assert all(r.status is AnalysisStatus.DONE for r in results)
    assert "/props" in server.gets and len(server.probes) == 8  # the burst sent while /props was read
    assert analyzer.limiter.limit == 3 and max(r.in_flight for r in server.requests) == 3
    assert memory.recall(endpoint_key(server.base_url), "test-model").concurrency == 3


async def test_a_timeout_lowers_published_slots_for_the_run_but_not_for_the_next():
    # the second card request hangs past the timeout: the rest of the run goes one at a time
    with ChatServer(latency=0.1, slots=3, props=True, faults=[None, "hang"], hang=2.0) as server:
        memory = RunMemory()
        analyzer, results = await analyze_all(
            server, [commit(i) for i in range(6)], memory, concurrency=8, timeout=1.0
        )
    assert analyzer.endpoint.timeouts >= 1 and analyzer.limiter.limit == 1
    assert sum(r.status is AnalysisStatus.DONE for r in results) >= 5
    assert memory.recall(endpoint_key(server.base_url), "test-model").concurrency == 3


@pytest.mark.parametrize(
    "fields",
    [
        {"summary": ["141836"]},
        {"summary": ["skip_value_to_write"]},
        {"summary": ["a"]},
        {"summary": []},
        {"summary": ["..."]},
        {"change_type": "."},
        {"change_type": "skip_value_to_write"},
        {"summary": ["✅", "-"], "conclusion": "!!!"},
        {"summary": ["What changed, one point a line (10)"]},  # the schema's own words, read back
        {"summary": ["Modules or paths affected.", "Why this importance value matters."]},
    ],
)
async def test_a_card_that_says_nothing_is_asked_again_then_shown_as_its_heuristic_card(fields):
    with ChatServer(content=_card_with(**fields)) as server:
        analyzer, [a] = await analyze_all(server, [commit(1)], concurrency=1)
    assert a.status is AnalysisStatus.FAILED and a.unusable_answers == 2
    assert a.card is not None and a.card.summary[0].startswith("Teach the scheduler")  # the heuristic card
    assert "model's answer was unusable" in a.error
    first, second = server.requests
    assert "could not be used" in second.user_text and "could not be used" not in first.user_text
    assert analyzer.cards.unusable == 2


async def test_stray_punctuation_in_a_card_that_says_something_is_dropped_and_the_card_done():
    stray = _card_with(conclusion="!!!", impact_scope=["✅", "scheduler.py"], risks=["-"], summary=["—", "Faster scheduling."])
    with ChatServer(content=stray) as server:
        _, [a] = await analyze_all(server, [commit(1)], concurrency=1)
    assert a.status is AnalysisStatus.DONE and len(server.requests) == 1
    assert a.card.summary == ["Faster scheduling."] and a.card.impact_scope == ["scheduler.py"]
    assert a.card.conclusion == "" and a.card.risks == []


async def test_a_stricter_second_answer_that_says_something_is_done():
    bad = _card_with(summary=["141836"])

    def answer(req: Request) -> str:
        strict = "could not be used" in req.user_text
        return json.dumps(plausible_card(req.user_text)) if strict else bad(req)

    with ChatServer(content=answer) as server:
        _, [a] = await analyze_all(server, [commit(1)], concurrency=1)
    assert a.status is AnalysisStatus.DONE and a.unusable_answers == 0 and len(server.requests) == 2


async def test_an_answer_in_another_language_is_unusable():
    russian = _card_with(summary=["Изменён планировщик задач для цикла."], conclusion="Небольшое изменение.")
    with ChatServer(content=russian) as server:
        _, [a] = await analyze_all(server, [commit(1)], concurrency=1)
    assert a.status is AnalysisStatus.FAILED and "language" in a.error and len(server.requests) == 2
    english = _card_with(summary=["Teaches the scheduler to loop."], conclusion="A small change.")
    with ChatServer(content=english) as server:
        zh = LLMAnalyzer(config(server, concurrency=1), "zh", backoff=0.05)
        try:
            result = await zh.analyze(commit(1), HIGH)
        finally:
            await zh.aclose()
    assert result.status is AnalysisStatus.FAILED and "language" in result.error


async def test_a_looping_answer_is_cut_early_and_not_asked_again_with_more_room():
    loop = '{"change_type": "feature", "importance": "high", "summary": ["' + "the value " * 20000
    with ChatServer(content=lambda req: loop) as server:
        _, [a] = await analyze_all(server, [commit(1)], concurrency=1)
    assert a.status is AnalysisStatus.FAILED and "repeats itself" in a.error
    assert len(server.requests) == 2  # the answer, and one stricter ask: no growing retries
    assert all(r.max_tokens <= ANSWER_TOKENS[Importance.HIGH] for r in server.requests)


async def test_a_model_that_runs_past_its_room_twice_shows_its_heuristic_card_and_rests():
    # a long answer of ever new words, cut at max_tokens by the server: the model ran on, not the server
    words = " ".join(f"w{n}" for n in range(40000))
    run_on = '{"change_type": "feature", "importance": "high", "summary": ["' + words
    with ChatServer(content=lambda req: run_on) as server:
        _, [a] = await analyze_all(server, [commit(1)], concurrency=1)
    assert a.status is AnalysisStatus.FAILED and a.card is not None and a.unusable_answers == 1
    assert "ran past" in a.error and "even when asked to be brief" in a.error
    first, second = server.requests  # more room once, asked to be brief; no stricter third ask
    assert first.max_tokens < second.max_tokens <= 1800
    # a server that stops the answer short of its room (a slot's end): not the model's fault, asked again later
    with ChatServer(faults=lambda req: "length") as server:
        _, [b] = await analyze_all(server, [commit(1)], concurrency=1)
    assert b.status is AnalysisStatus.FAILED and b.card is None and b.unusable_answers == 0
    assert "cut off by the endpoint after" in b.error and len(server.requests) == 2


async def test_answers_that_go_on_writing_a_chat_template_name_the_server_s_template_in_the_alert():
    # a GGUF without its chat template: the server wraps prompts in its fallback, and the model writes more of it
    leaked = _card_with(summary=["<|im_end|>"], conclusion="<|im_end|>\n<|im_start|>user")
    with ChatServer(content=leaked) as server:
        analyzer, results = await analyze_all(server, [commit(i) for i in range(4)], concurrency=1)
    assert {r.status for r in results} == {AnalysisStatus.FAILED}
    [alert] = analyzer.alerts
    assert "chat-template marker '<|im_end|>'" in alert and "--chat_format" in alert
    assert "instruction-tuned model (DIGEST_LLM_MODEL)" in alert
    # the same words quoted from a commit that changes a chat template are the commit's, not the server's
    template = "@@ -1 +1 @@\n-x = 1\n+TEMPLATE = '<|im_start|>user {q}<|im_end|>'"
    quoted = [FileChange("src/engine/chat.py", "modified", 1, 1, template)]
    with ChatServer(content=leaked) as server:
        analyzer, _ = await analyze_all(server, [commit(i, quoted) for i in range(4)], concurrency=1)
    [alert] = analyzer.alerts
    assert "chat-template" not in alert and alert.endswith("check the model (DIGEST_LLM_MODEL)")


async def test_card_answer_lengths_are_kept_and_size_the_next_answers():
    memory = RunMemory()
    with ChatServer() as server:
        await analyze_all(server, [commit(1)], memory, concurrency=1)
        longest = memory.recall(endpoint_key(server.base_url), "test-model").answer_tokens
        assert longest and longest < 300
        await analyze_all(server, [commit(2)], memory, concurrency=1)
    later = server.requests[-1].max_tokens
    assert later == max(300, 2 * longest) < ANSWER_TOKENS[Importance.HIGH]


async def test_unusable_answers_are_counted_alerted_and_retried_on_a_later_run(tmp_path):
    db = store.open_db(tmp_path / "digest.db")
    repo = day_repo(tmp_path / "engine", 4)
    with ChatServer(content=_card_with(summary=["skip_value_to_write"])) as server:
        cfg = PipelineConfig(repos=[str(repo.path)], llm=config(server, concurrency=1))
        digest = await run_digest(db, cfg, day=DAY)
        entries = digest.repos[0].entries
        assert {e.analysis.status for e in entries} == {AnalysisStatus.FAILED}
        assert all(e.analysis.card is not None for e in entries)
        # once four answers said nothing, no commit gets a stricter second ask that would be wasted on this model
        bad = digest.usage.unusable_answers
        assert 4 <= bad < 8 and len(server.requests) == bad + 1  # and the day's overview
        [alert] = [a for a in digest.alerts if "said nothing usable" in a]
        assert endpoint_key(server.base_url) in alert and "test-model" in alert
        assert runs.usage_totals(db).unusable_answers == bad
        lines, data = status_lines(db)
        assert data["usage"]["unusable_answers"] == bad and f"{bad} unusable answers" in lines[-1]
        server.content = None
        asked = len(server.requests)
        soon = await run_digest(db, cfg, day=DAY)  # at once: the same model just failed them, they rest
        assert {e.analysis.status for e in soon.repos[0].entries} == {AnalysisStatus.FAILED}
        assert len(server.requests) == asked and soon.usage.llm_calls == 0
        with db.conn:  # a later run
            db.execute("update analyses set updated_at = '2026-01-24T00:00:00+00:00'")
        again = await run_digest(db, cfg, day=DAY)
    assert {e.analysis.status for e in again.repos[0].entries} == {AnalysisStatus.DONE}
    learned = llm_endpoints.learned_about(db, endpoint_key(server.base_url), "test-model")
    assert learned is not None and learned.answer_tokens


def test_a_usable_card_names_something_the_commit_changes():
    from analysis.llm.checks import commit_names, unusable
    from analysis.models import Card

    grounds = commit_names(commit(1))  # "Teach the scheduler to loop", src/engine/scheduler.py
    said = {
        "Faster scheduling in the engine loop.": None,  # "scheduling" names the scheduler
        "修改了 src/engine/scheduler.py 的循环。": None,  # a Chinese line naming the file
        "What changed, one point a line (10)": "the summary names nothing the commit changes",
        "The commit is not verified (not visible).": "the summary names nothing the commit changes",
    }
    for line, why in said.items():
        language = "zh" if "修改" in line else "en"
        card = Card(change_type="feature", importance="medium", summary=[line])
        assert unusable(card, language, grounds) == why, line
        assert unusable(card, language) is None  # without the commit's names, only words and language are judged
    tiny = commit(2)
    tiny.message, tiny.files[0].path, tiny.files[0].patch = "Feature 2", "f2.py", "@@ -0,0 +1 @@\n+x = 2"
    assert commit_names(tiny) == frozenset()  # nothing in it to name: a card is not held to naming it
    card = Card(change_type="feature", importance="low", summary=["Adds a module-level constant."])
    assert unusable(card, "en", commit_names(tiny)) is None
    # a commit with a long description (a PR template's checklist): one of its words is not a summary of it
    rich = commit(3)
    rich.message = "Add top_k_varlen radix kernel (#4380)\n\n" + " ".join(
        f"section{n} reviewer comment checklist" for n in range(30)
    )
    junk = Card(change_type="feature", importance="medium", summary=["The commit card and comments were found."])
    assert unusable(junk, "en", commit_names(rich)) == "the summary names only one word of the commit"
    for line in ("Adds the radix path of top_k_varlen.", "Adds a radix kernel.", "Changes src/engine/scheduler.py."):
        real = Card(change_type="feature", importance="medium", summary=[line])
        assert unusable(real, "en", commit_names(rich)) is None, line  # two words, or one path or code name
