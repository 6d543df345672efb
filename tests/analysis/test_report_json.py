"""The JSON digest: shape, types and values."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest

from analysis.models import Digest
from analysis.report import render_json
from tests.analysis.sglang_day import make_digest


@pytest.fixture
def digest() -> Digest:
    return make_digest("zh")


def test_json_shape_and_types(digest: Digest):
    data = json.loads(json.dumps(render_json(digest)))
    assert {"date", "timezone", "language", "repos", "usage", "alerts"} <= data.keys()
    assert (data["date"], data["timezone"], data["language"]) == ("2026-01-24", "Asia/Shanghai", "zh")
    assert data["usage"] == {
        "llm_calls": 12,
        "prompt_tokens": 48000,
        "completion_tokens": 6500,
        "cost_usd": 0.0123,
    }
    assert data["alerts"] == digest.alerts
    repo = data["repos"][0]
    assert {"repo", "branch", "head", "error", "stats", "commits"} <= repo.keys()
    assert repo["stats"] == {"total": 8, "high": 2, "medium": 4, "low": 2, "failed": 1, "pending": 1}
    assert [c["sha"] for c in repo["commits"]] == [e.commit.sha for e in digest.repos[0].entries]
    keys = {
        "sha",
        "short_sha",
        "title",
        "author",
        "committed_at",
        "importance",
        "scored_importance",
        "analysis_status",
        "change_type",
        "summary",
        "pr",
        "url",
        "files",
        "additions",
        "deletions",
        "is_merge",
        "card",
        "reasons",
    }
    for c in repo["commits"]:
        assert keys <= c.keys()
        assert datetime.fromisoformat(c["committed_at"]).utcoffset() == timedelta(hours=8)
        assert isinstance(c["summary"], str) and c["summary"]
        assert c["card"] is None or isinstance(c["card"], dict)
        assert isinstance(c["reasons"], list) and isinstance(c["is_merge"], bool)
        assert c["pr"] is None or isinstance(c["pr"], int)
    flash, fa4, merge, pending = (
        repo["commits"][0],
        repo["commits"][1],
        repo["commits"][4],
        repo["commits"][5],
    )
    assert flash["committed_at"] == "2026-01-24T22:00:00+08:00"
    assert (flash["files"], flash["additions"], flash["deletions"], flash["pr"]) == (2, 652, 12, 14668)
    assert flash["summary"].startswith("为专家并行新增") and flash["summary"].count("\n") == 3
    assert flash["card"]["insight"]["security"] == "none"
    assert (fa4["analysis_status"], fa4["importance"], fa4["card"]) == ("failed", "high", None)
    assert fa4["summary"] == fa4["title"] and fa4["reasons"][0] == "touches 120 kernel files"
    assert (merge["is_merge"], merge["files"], merge["additions"]) == (True, 30, None)
    assert pending["analysis_status"] == "pending" and pending["scored_importance"] == "medium"
    empty, broken = data["repos"][1], data["repos"][2]
    assert empty["commits"] == [] and empty["stats"]["total"] == 0 and empty["error"] is None
    assert broken["error"].startswith("404 Not Found")
