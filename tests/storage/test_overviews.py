"""Overviews: one row per repository and day, replaced when recomputed, the latest day found."""

from __future__ import annotations

from analysis.overview.overview_types import Cached, Overview
from analysis.store.saved_overviews import get_overview, save_overview
from storage import migrations
from storage.db import open_db


def _row(date: str, fingerprint: str) -> Cached:
    return Cached("o/r", date, fingerprint, Overview(headline="A quiet day", source="llm"), "en")


def _save(db, cached: Cached) -> None:
    save_overview(db, cached, None, calls=0, prompt_tokens=0, completion_tokens=0)


def test_one_overview_per_repository_and_day(tmp_path):
    db = open_db(tmp_path / "d.db")
    assert "m005_overviews" in [fn.__name__ for fn in migrations.MIGRATIONS]
    _save(db, _row("2026-01-23", "a"))
    _save(db, _row("2026-01-24", "b"))
    _save(db, _row("2026-01-24", "c"))  # recomputed: replaces the day's row
    assert db["overviews"].count == 2
    assert get_overview(db, "o/r", "2026-01-24").fingerprint == "c"
    assert get_overview(db, "o/r").date == "2026-01-24" and get_overview(db, "x/y", "2026-01-24") is None
