"""`commit-digest status`: runs, analyses, cursors, rate limits, usage and its cost."""

from __future__ import annotations

from analysis.config import LLMConfig
from analysis.models import Analysis, AnalysisStatus, Importance
from analysis.state import Cursor, RepositoryState, RunRecord, RunStatus
from analysis.store.analyses import save_analysis
from analysis.store.reported import set_cursor
from analysis.store.repositories import save_repository
from analysis.store.runs import save_run
from bot.status import status_lines
from storage.db import open_db


def test_status_reports_runs_cursors_rate_limit_and_priced_usage(tmp_path):
    db = open_db(tmp_path / "d.db")
    save_repository(
        db,
        RepositoryState(
            "o/r",
            kind="github",
            default_branch="main",
            rate_limit_remaining=42,
            rate_limit_reset=1_769_256_000,
        ),
    )
    save_run(
        db,
        RunRecord(
            repo="o/r",
            started_at="s",
            finished_at="2026-01-24T09:00:00+00:00",
            status=RunStatus.OK,
            mode="cursor",
            commits=3,
            fetched=3,
            requests=5,
            llm_calls=4,
            prompt_tokens=2_000_000,
            completion_tokens=100_000,
            error=None,
        ),
    )
    save_analysis(db, "o/r", Analysis("a" * 40, AnalysisStatus.PENDING, Importance.LOW, attempts=0))
    set_cursor(db, Cursor("o/r", "C1", "main", "b" * 40))
    lines, data = status_lines(
        db, LLMConfig(api_key="k", price_input_per_mtok=0.5, price_output_per_mtok=2.0)
    )
    text = "\n".join(lines)
    assert "3 commits, 3 fetched, 5 requests, 4 LLM calls" in text
    assert "pending 1" in text and "C1: main@bbbbbbbbbbbb" in text and "42 requests left" in text
    assert data["usage"]["cost_usd"] == 1.2 and "about $1.20" in text
    _, unpriced = status_lines(db)
    assert unpriced["usage"]["cost_usd"] is None


def test_status_of_an_empty_database_says_what_to_do(tmp_path):
    lines, data = status_lines(open_db(tmp_path / "d.db"))
    assert data["repos"] == [] and "commit-digest run --repo" in lines[0]
