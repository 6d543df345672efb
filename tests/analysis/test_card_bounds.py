"""A model's card is bounded before it is stored: each field a few thousand characters, the card a few tens of KB."""

from __future__ import annotations

from analysis.bounds import CARD_CHARS, FIELD_CHARS, SHORTENED
from analysis.models import Analysis, AnalysisStatus, Card, Importance
from analysis.store import analyses as analysis_store
from storage.db import open_db


def huge_card() -> Card:
    return Card(
        change_type="feature " * 2000,
        importance=Importance.HIGH,
        importance_reason="r" * 50_000,
        summary=["s" * 100_000] * 30 + ["short point"],
        impact_scope=[f"path/{i}" for i in range(500)],
        insight={"architecture": "a" * 90_000, "security": "fine"},
        risks=["x" * 10_000],
        recommendations=["y" * 9000] * 5,
        conclusion="c" * 500_000,
        not_read=["big.bin"],
    )


def test_a_huge_card_is_stored_bounded_and_says_so(tmp_path) -> None:
    db = open_db(tmp_path / "d.db")
    analysis_store.save_analysis(
        db, "o/r", Analysis("a" * 40, AnalysisStatus.DONE, Importance.HIGH, card=huge_card())
    )
    row = db.execute("select card from analyses").fetchone()[0]
    assert len(row) < CARD_CHARS + 8000
    card = analysis_store.get_analysis(db, "o/r", "a" * 40).card
    assert card.conclusion.endswith(SHORTENED) and len(card.conclusion) <= FIELD_CHARS
    assert card.summary[0].endswith(SHORTENED) and card.summary[-1] == SHORTENED
    assert card.insight.architecture.endswith(SHORTENED) and card.insight.security == "fine"
    assert all(len(x) <= FIELD_CHARS for x in card.summary + card.risks + card.recommendations)
    assert card.importance is Importance.HIGH


def test_an_ordinary_card_is_stored_unchanged(tmp_path) -> None:
    db = open_db(tmp_path / "d.db")
    card = Card(
        change_type="bug fix", importance=Importance.LOW, summary=["Fix `parse_args`"], conclusion="ok"
    )
    analysis_store.save_analysis(
        db, "o/r", Analysis("b" * 40, AnalysisStatus.DONE, Importance.LOW, card=card)
    )
    assert analysis_store.get_analysis(db, "o/r", "b" * 40).card == card
