"""Overviews: one row per repository and day, replaced when recomputed, the latest day found."""

from __future__ import annotations

from storage import migrations
from storage.db import open_db
from storage.overviews import get_overview, latest_overview, save_overview


def _row(date: str, fingerprint: str) -> dict:
    return {"repo": "o/r", "date": date, "fingerprint": fingerprint, "source": "llm", "body": "{}"}


def test_one_overview_per_repository_and_day(tmp_path):
    db = open_db(tmp_path / "d.db")
    assert "m005_overviews" in [fn.__name__ for fn in migrations.MIGRATIONS]
    save_overview(db, _row("2026-01-23", "a"))
    save_overview(db, _row("2026-01-24", "b"))
    save_overview(db, _row("2026-01-24", "c"))  # recomputed: replaces the day's row
    assert db["overviews"].count == 2
    assert get_overview(db, "o/r", "2026-01-24")["fingerprint"] == "c"
    assert (
        latest_overview(db, "o/r")["date"] == "2026-01-24" and get_overview(db, "x/y", "2026-01-24") is None
    )
