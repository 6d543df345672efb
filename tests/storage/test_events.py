"""Handled Slack events and the cards posted under shared links, kept by the deliveries store."""

from __future__ import annotations

from analysis.store.deliveries import claim_event, link_reply, save_link_reply
from storage.db import open_db


def test_an_event_is_claimed_once_and_old_ones_are_forgotten(tmp_path) -> None:
    db = open_db(tmp_path / "a.db")
    assert claim_event(db, "Ev1", "link_shared") is True
    assert claim_event(db, "Ev1", "link_shared") is False
    db.execute("update events set received_at = '2000-01-01T00:00:00+00:00' where event_id = 'Ev1'")
    assert claim_event(db, "Ev2", "link_shared") is True
    assert [r["event_id"] for r in db["events"].rows] == ["Ev2"]


def test_a_link_reply_is_kept_per_channel_thread_and_commit(tmp_path) -> None:
    db = open_db(tmp_path / "a.db")
    save_link_reply(db, "C1", "1.1", "o/r", "a" * 40, "1.2")
    assert link_reply(db, "C1", "1.1", "a" * 40) == "1.2"
    assert link_reply(db, "C2", "1.1", "a" * 40) is None
