"""The one usage type: calls, tokens, cost, runs and errors added up together, never field by field."""

from __future__ import annotations

from analysis.models import Analysis, AnalysisStatus, Importance, Usage


def test_usages_add_up_and_the_cost_stays_unknown_until_one_is_priced():
    a = Usage(llm_calls=2, prompt_tokens=100, completion_tokens=10)
    b = Usage(llm_calls=1, prompt_tokens=50, completion_tokens=5, runs=1, errors=1)
    total = a + b
    assert total == Usage(llm_calls=3, prompt_tokens=150, completion_tokens=15, runs=1, errors=1)
    assert total.cost_usd is None and (a, b) == (Usage(2, 100, 10), Usage(1, 50, 5, runs=1, errors=1))
    priced = total + Usage(cost_usd=0.25)
    assert priced.cost_usd == 0.25 and priced.llm_calls == 3


def test_add_counts_in_place_and_an_analysis_gives_its_usage():
    run = Usage()
    done = Analysis(
        sha="a" * 40,
        status=AnalysisStatus.DONE,
        scored=Importance.LOW,
        llm_calls=3,
        prompt_tokens=900,
        completion_tokens=120,
    )
    run.add(done.usage)
    run.add(done.usage)
    assert run == Usage(llm_calls=6, prompt_tokens=1800, completion_tokens=240)
