"""The day's overview by the model, through the real openai client against the loopback chat server:
fed the cards (not the diffs), checked against the day's commits, within the budget, cached per day."""

from __future__ import annotations

import datetime as dt
import re

from analysis.config import LLMConfig, PipelineConfig
from analysis.llm.endpoint import Endpoint
from analysis.llm.request import Requester
from analysis.models import AnalysisStatus, Importance
from analysis.overview import cache
from analysis.overview.llm import llm_overview
from analysis.overview.overview_types import HEADLINE_CHARS, MAX_THEMES, TEXT_CHARS, TITLE_CHARS
from analysis.overview.prompt import SHA_CHARS
from analysis.pipeline import run_digest
from analysis.report.json import render_json
from storage.db import open_db
from tests.fakes.chat import OVERVIEW_MARKERS, ChatServer
from tests.fakes.digests import entry
from tests.gitrepo import GitRepo

DAY = dt.date(2026, 1, 24)
DIFF_MARKER = "only_in_the_diff_4711"
_CITED = re.compile(r"\[([0-9a-f]{" + str(SHA_CHARS) + r"})\]")


def _is_overview(req) -> bool:
    return any(m in req.user_text for m in OVERVIEW_MARKERS)


def _repo(tmp_path, n: int = 5) -> GitRepo:
    repo = GitRepo(tmp_path / "engine")
    for i in range(n):
        code = f"{DIFF_MARKER}_{i} = {i}\n" * (3 + i)
        repo.commit(
            f"[Scheduler] Teach the scheduler step {i} (#{300 + i})",
            {f"src/sched/s{i}.py": code},
            date=f"2026-01-24T0{i}:00:00+00:00",
        )
    return repo


def _cfg(repo: GitRepo, server: ChatServer, **llm) -> PipelineConfig:
    llm.setdefault("timeout", 10.0)
    cfg = LLMConfig(api_key="sk-test", model="test-model", base_url=server.base_url, **llm)
    return PipelineConfig(repos=[str(repo.path)], llm=cfg)


async def test_the_overview_request_carries_the_cards_not_the_diffs(tmp_path):
    repo, db = _repo(tmp_path), open_db(tmp_path / "d.db")
    with ChatServer() as server:
        digest = await run_digest(db, _cfg(repo, server), day=DAY)
    rd = digest.repos[0]
    [req] = [r for r in server.requests if _is_overview(r)]
    assert DIFF_MARKER not in req.user_text and "@@" not in req.user_text  # no diff, no hunk
    for e in rd.entries:
        assert f"[{e.commit.sha[:SHA_CHARS]}]" in req.user_text and e.commit.title in req.user_text
        assert e.analysis.card.summary[0] in req.user_text  # the card's summary, as written
    assert "<day-data>" in req.user_text and req.prompt_tokens <= 12000
    o = rd.overview
    assert o.source == "llm" and o.headline and 1 <= len(o.themes) <= MAX_THEMES
    day = {e.commit.sha for e in rd.entries}
    cited = [s for th in o.themes for s in th.commits]
    assert set(cited) <= day and len(cited) == len(set(cited))  # full SHAs, each in one theme
    card_calls = sum(e.analysis.llm_calls for e in rd.entries)
    assert digest.usage.llm_calls == card_calls + 1  # counted in usage like any call
    assert digest.usage.prompt_tokens >= req.prompt_tokens
    out = render_json(digest)["repos"][0]["overview"]
    assert out["source"] == "llm" and out["themes"][0]["commits"][0] in day
    assert set(out) == {"headline", "themes", "attention", "source"}


async def test_a_warm_rerun_makes_no_overview_call_and_a_changed_day_makes_one(tmp_path):
    repo, db = _repo(tmp_path, 3), open_db(tmp_path / "d.db")
    with ChatServer() as server:
        first = await run_digest(db, _cfg(repo, server), day=DAY)
        seen = len(server.requests)
        again = await run_digest(db, _cfg(repo, server), day=DAY)
        assert len(server.requests) == seen and again.usage.llm_calls == 0
        assert again.repos[0].overview == first.repos[0].overview
        repo.commit(
            "Add a fourth step (#400)", {"src/sched/s9.py": "x = 1\n"}, date="2026-01-24T09:00:00+00:00"
        )
        third = await run_digest(db, _cfg(repo, server), day=DAY)
    assert sum(_is_overview(r) for r in server.requests) == 2 and third.usage.llm_calls == 2
    assert cache.load(db, third.repos[0].repo, "2026-01-24").overview == third.repos[0].overview


def _citing(req, themes, attention=(), headline="A day."):
    """An answer built from the SHAs the request shows: `themes` and `attention` as (title, indexes) lists,
    where an index names the day's n-th cited commit and a string is cited as written."""
    shas = list(dict.fromkeys(_CITED.findall(req.user_text.split("<day-data>", 1)[1])))

    def pick(refs):
        return [shas[r] if isinstance(r, int) else r for r in refs]

    return {
        "headline": headline,
        "themes": [{"title": t, "text": f"About {t}.", "commits": pick(refs)} for t, refs in themes],
        "attention": [{"text": t, "commits": pick(refs)} for t, refs in attention],
    }


async def test_unknown_shas_duplicates_and_empty_themes_are_dropped(tmp_path):
    repo, db = _repo(tmp_path, 4), open_db(tmp_path / "d.db")

    def answer(req):
        return _citing(
            req,
            themes=[
                ("Real", [0, "deadbeefdeadbeef", 1]),
                ("Ghost", ["0123456789", "not a sha"]),
                ("Empty", []),
                ("Again", [1, 2]),  # commit 1 is already in "Real"
            ],
            attention=[("Watch this", ["feedface00"]), ("Revert", [3])],
        )

    with ChatServer(overview=answer) as server:
        digest = await run_digest(db, _cfg(repo, server), day=DAY)
    o = digest.repos[0].overview
    assert o.source == "llm" and [t.title for t in o.themes] == ["Real", "Again"]
    day = [e.commit.sha for e in digest.repos[0].entries]
    assert all(len(s) == 40 and s in day for s in o.cited())
    assert len(o.themes[0].commits) == 2 and len(o.themes[1].commits) == 1
    assert [a.text for a in o.attention] == ["Revert"]


async def test_an_answer_without_a_valid_theme_is_replaced_by_the_heuristic_and_kept(tmp_path):
    repo, db = _repo(tmp_path, 3), open_db(tmp_path / "d.db")

    def answer(req):
        return _citing(req, themes=[("Ghost", ["abcdef1234567"]), ("Empty", [])])

    with ChatServer(overview=answer) as server:
        first = await run_digest(db, _cfg(repo, server), day=DAY)
        again = await run_digest(db, _cfg(repo, server), day=DAY)
    o = first.repos[0].overview
    assert o.source == "heuristic" and o.themes and o.themes[0].title == "Scheduler"
    assert sum(_is_overview(r) for r in server.requests) == 1  # the model that answered is not asked again
    assert again.repos[0].overview == o


async def test_an_answer_that_is_not_json_gives_the_heuristic_and_is_kept(tmp_path):
    repo, db = _repo(tmp_path, 2), open_db(tmp_path / "d.db")
    with ChatServer(faults=lambda req: "invalid_json" if _is_overview(req) else None) as server:
        first = await run_digest(db, _cfg(repo, server), day=DAY)
        again = await run_digest(db, _cfg(repo, server), day=DAY)
    assert first.repos[0].overview.source == "heuristic" and again.usage.llm_calls == 0
    assert sum(_is_overview(r) for r in server.requests) == 1
    assert first.usage.llm_calls == 2 + 1  # the unusable answer is counted like any call


async def test_an_unavailable_endpoint_gives_the_heuristic_and_is_asked_again_next_run(tmp_path):
    repo, db = _repo(tmp_path, 2), open_db(tmp_path / "d.db")
    fault = lambda req: "429" if _is_overview(req) else None  # noqa: E731  (and a wait longer than a run's)
    with ChatServer(faults=fault, retry_after="3600") as server:
        first = await run_digest(db, _cfg(repo, server), day=DAY)
    assert first.repos[0].overview.source == "heuristic"
    assert [e.analysis.status for e in first.repos[0].entries] == [AnalysisStatus.DONE] * 2
    with ChatServer() as server:
        second = await run_digest(db, _cfg(repo, server), day=DAY)
    assert second.repos[0].overview.source == "llm" and len(server.requests) == 1


async def test_model_written_fields_are_bounded(tmp_path):
    repo, db = _repo(tmp_path, 2), open_db(tmp_path / "d.db")

    def answer(req):
        out = _citing(req, themes=[(f"T{i}" * 500, [i % 2]) for i in range(9)], headline="H" * 10_000)
        out["themes"][0]["text"] = "x" * 10_000
        out["attention"] = [{"text": "a" * 9000, "commits": [c]} for c in out["themes"][0]["commits"] * 20]
        return out

    with ChatServer(overview=answer) as server:
        digest = await run_digest(db, _cfg(repo, server), day=DAY)
    o = digest.repos[0].overview
    assert len(o.headline) <= HEADLINE_CHARS and len(o.themes) == 2
    assert all(len(t.title) <= TITLE_CHARS and len(t.text) <= TEXT_CHARS for t in o.themes)
    assert len(o.attention) <= 5 and all(len(a.text) <= TEXT_CHARS for a in o.attention)


def _day_of(n: int) -> list:
    levels = [Importance.HIGH, Importance.MEDIUM, Importance.MEDIUM, Importance.LOW]
    return [entry(i, levels[i % 4], summary=[f"Point {i} about the change " * 4] * 3) for i in range(n)]


async def _ask(server: ChatServer, entries, budget: int, language: str = "en"):
    cfg = LLMConfig(api_key="sk-test", model="test-model", base_url=server.base_url, timeout=10.0)
    endpoint = Endpoint(cfg, backoff=0.05, max_calls=10)
    try:
        return await llm_overview(Requester(endpoint), entries, language, budget)
    finally:
        await endpoint.aclose()


async def test_a_day_of_sixty_commits_fits_the_budget_in_one_call():
    entries = _day_of(60)
    with ChatServer(context_limit=12000) as server:
        outcome = await _ask(server, entries, 12000)
    [req] = server.requests
    assert req.prompt_tokens <= 12000 and req.status == 200
    assert outcome.overview.source == "llm" and outcome.usage.llm_calls == 1
    assert all(f"[{e.commit.sha[:SHA_CHARS]}]" in req.user_text for e in entries)


async def test_a_huge_day_is_read_in_parts_and_merged_within_the_budget():
    entries, budget = _day_of(60), 2500
    with ChatServer(context_limit=budget) as server:
        outcome = await _ask(server, entries, budget, "zh")
    assert len(server.requests) >= 3 and all(r.status == 200 for r in server.requests)
    assert all(r.prompt_tokens <= budget for r in server.requests)
    parts = [r for r in server.requests if "Write the day's overview" in r.user_text]
    shown = {s for r in parts for s in _CITED.findall(r.user_text)}
    assert shown == {e.commit.sha[:SHA_CHARS] for e in entries}  # every card is read in some part
    merge = server.requests[-1]
    assert "Merge them into the overview" in merge.user_text and "Simplified Chinese" in merge.user_text
    o = outcome.overview
    assert o.source == "llm" and outcome.usage.llm_calls == len(server.requests)
    assert o.headline.startswith("今天") and set(o.cited()) <= {e.commit.sha for e in entries}


async def test_without_an_llm_every_digest_opens_with_the_heuristic_overview(tmp_path):
    repo, db = _repo(tmp_path, 3), open_db(tmp_path / "d.db")
    digest = await run_digest(db, PipelineConfig(repos=[str(repo.path)], language="zh"), day=DAY)
    o = digest.repos[0].overview
    assert o.source == "heuristic" and [t.title for t in o.themes] == ["Scheduler"]
    assert o.headline.startswith("共 3 个提交") and digest.usage.llm_calls == 0
    assert cache.load(db, digest.repos[0].repo, "2026-01-24").overview == o
