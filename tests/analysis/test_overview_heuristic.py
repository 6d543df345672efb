"""The overview without a model: a synthetic day grouped by area, attention from the scorer's signals."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from analysis.heuristic import heuristic_analysis
from analysis.importance import score
from analysis.models import Commit, DigestEntry, FileChange
from analysis.overview.heuristic import (
    heuristic_overview,
    title_area,
)


def _entry(title: str, *paths: str, body: str = "") -> DigestEntry:
    sha = hashlib.sha1(title.encode()).hexdigest()
    files = [FileChange(p, "modified", 20, 5) for p in paths]
    commit = Commit(
        repo="acme/engine",
        sha=sha,
        message=title + ("\n\n" + body if body else ""),
        author_name="Ada",
        committed_at=datetime(2026, 1, 24, 9, tzinfo=UTC),
        url=f"https://github.com/acme/engine/commit/{sha}",
        files=files,
    )
    return DigestEntry(commit, heuristic_analysis(commit, score(commit)))


DAY = {
    "npu_fix": _entry("[NPU] Fix the allreduce on Ascend (#1)", "python/x/npu/comm.py"),
    "npu_kernel": _entry("[Feature][NPU] Add a fused rope kernel (#2)", "kernels/npu/rope.cu"),
    "api_add": _entry("feat(api): add the v2 generate route (#3)", "srv/entrypoints/openai/serve.py"),
    "api_rename": _entry("fix(api)!: rename the request field (#4)", "srv/entrypoints/openai/protocol.py"),
    "sched_loop": _entry("Speed up the scheduler loop (#5)", "src/engine/scheduler/loop.py"),
    "sched_policy": _entry(
        "Refactor scheduler policies (#6)",
        "src/engine/scheduler/policy/lpm.py",
        "src/engine/scheduler/policy/fcfs.py",
    ),
    "bump": _entry("Bump torch to 2.6 (#7)", "pyproject.toml", "uv.lock"),
    "revert": _entry('Revert "Speed up the cache" (#8)', "src/engine/cache.py"),
    "xss": _entry("Fix an XSS in the dashboard, a security issue (#9)", "web/dash.js"),
    "docs": _entry("Document the NPU setup (#10)", "docs/npu.md"),
}


def _names(shas: list[str]) -> set[str]:
    return {k for k, e in DAY.items() if e.commit.sha in shas}


def test_title_areas_are_scopes_and_tags_that_are_not_change_types():
    assert title_area("fix(sched, api): loop") == "sched"
    assert title_area("[Bugfix] Fix x") is None
    assert title_area("[Bugfix][NPU] Fix x") == "NPU"
    assert title_area("Fix [NPU] later in the title") is None
    assert title_area("feat: no scope") is None


def test_a_synthetic_day_is_grouped_by_area():
    o = heuristic_overview(list(DAY.values()))
    assert o.source == "heuristic"
    groups = {t.title: _names(t.commits) for t in o.themes}
    assert groups == {
        "NPU": {"npu_fix", "npu_kernel"},
        "api": {"api_add", "api_rename"},
        "src/engine/scheduler/": {"sched_loop", "sched_policy"},
    }
    assert "10 commits" in o.headline and "NPU" in o.headline
    cited = [s for t in o.themes for s in t.commits]
    assert len(cited) == len(set(cited))  # every commit in at most one theme


def test_attention_comes_from_the_scorer_signals():
    o = heuristic_overview(list(DAY.values()))
    items = [(a.text.split(":")[0], _names(a.commits)) for a in o.attention]
    assert items == [
        ("Marked breaking", {"api_rename"}),
        ("Security-related", {"xss"}),
        ("Reverted", {"revert"}),
        ("Dependency or build manifests changed", {"bump"}),
        ("API or configuration code changed", {"api_add", "api_rename"}),
    ]


def test_a_quiet_day_has_no_attention_and_single_commits_fill_the_themes():
    day = [DAY["sched_loop"], DAY["docs"]]
    o = heuristic_overview(day, "zh")
    assert o.attention == [] and len(o.themes) == 2 and o.headline.startswith("共 2 个提交")
    one = heuristic_overview([DAY["docs"]], "en")
    assert one.headline == "One commit: Document the NPU setup." and len(one.themes) == 1


def test_the_attention_signals_are_the_scorers():
    breaking = _entry("feat!: drop the v1 route, deprecate v2", "src/a.py")
    secure = _entry("Fix CVE-2026-12345 in the parser", "src/b.py", body="CVE-2026-12345")
    assert {"reason_breaking", "reason_deprecates"} <= set(score(breaking.commit).signals)
    assert "reason_security" in score(secure.commit).signals
    assert {a.commits[0] for a in heuristic_overview([breaking, secure], "zh").attention} >= {
        breaking.commit.sha,
        secure.commit.sha,
    }


def test_areas_are_named_below_the_days_common_root():
    day = [
        _entry("Speed up fused MoE (#21)", "python/pkg/srt/layers/moe/fused.py"),
        _entry("Tune the MoE router (#22)", "python/pkg/srt/layers/moe/router.py"),
        _entry("Speed up the radix cache (#23)", "python/pkg/srt/mem_cache/radix.py"),
        _entry("Evict less in the radix cache (#24)", "python/pkg/srt/mem_cache/evict.py"),
        _entry("Fix the HTTP server shutdown (#25)", "python/pkg/srt/entrypoints/http_server.py"),
    ]
    o = heuristic_overview(day)
    groups = {t.title: len(t.commits) for t in o.themes}
    assert groups == {"python/pkg/srt/layers/moe/": 2, "python/pkg/srt/mem_cache/": 2}
