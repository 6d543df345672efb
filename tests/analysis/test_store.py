"""The typed gateway: what goes in as a model comes back as the same model."""

from __future__ import annotations

from analysis.state import (
    Alert,
    AlertStatus,
    Cursor,
    Delivery,
    DeliveryStatus,
    RepositoryState,
    RunRecord,
    RunStatus,
)
from analysis.store import deliveries as delivery_store
from analysis.store import reported as reported_store
from analysis.store import repositories as repo_store
from analysis.store import runs as run_store
from storage.db import open_db


def test_delivery_round_trip_and_lookup_by_any_part(tmp_path):
    db = open_db(tmp_path / "d.db")
    d = Delivery(
        "C1", "2026-01-24", parts=["1.0", "2.0"], replies={"a" * 40: "3.0"}, repos=["o/r"], shas=["a" * 40]
    )
    delivery_store.save_delivery(db, d)
    d.status = DeliveryStatus.POSTED
    delivery_store.save_delivery(db, d)
    got = delivery_store.get_delivery(db, "C1", "2026-01-24")
    assert got is not None and got.finished and got.parts == ["1.0", "2.0"] and got.message_ts == "1.0"
    assert got.replies == {"a" * 40: "3.0"} and got.created_at
    assert delivery_store.delivery_by_message(db, "C1", "2.0") == got
    assert delivery_store.delivery_by_message(db, "C1", "3.0") is None  # a thread reply is not a part
    assert delivery_store.latest_delivery(db, "C1") == got


def test_alerts_runs_cursors_and_repositories(tmp_path):
    db = open_db(tmp_path / "d.db")
    delivery_store.save_alert(db, Alert("C1", "llm_auth", "bad key"))
    [alert] = delivery_store.active_alerts(db, "C1")
    assert alert.kind == "llm_auth" and alert.created_at
    alert.status = AlertStatus.RESOLVED
    delivery_store.save_alert(db, alert)
    assert delivery_store.active_alerts(db) == []
    run_store.save_run(
        db,
        RunRecord(
            "o/r",
            "2026-01-24T00:00:00+00:00",
            "2026-01-24T00:01:00+00:00",
            RunStatus.ERROR,
            "cursor",
            error="x",
        ),
    )
    run = run_store.last_run(db, "o/r")
    assert run is not None and run.status is RunStatus.ERROR and run.id == 1
    assert run_store.usage_since(db, "2026-01-01").errors == 1
    reported_store.set_cursor(db, Cursor("o/r", "terminal", "main", "b" * 40))
    assert [c.sha for c in reported_store.list_cursors(db, "o/r")] == ["b" * 40]
    repo_store.save_repository(db, RepositoryState("o/r", kind="github", last_run_at="t", last_error="boom"))
    repo_store.save_repository(db, RepositoryState("o/r", last_run_at="t2"))  # a clean run clears the error
    [repo] = repo_store.list_repositories(db)
    assert repo.kind == "github" and repo.last_error is None and repo.last_run_at == "t2"
