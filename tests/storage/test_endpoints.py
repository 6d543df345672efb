"""What is learned about LLM endpoints, in a real SQLite file, through the migration that made the table."""

from __future__ import annotations

import pytest

from analysis.store.llm_endpoints import Learned, keep_learned, learned_about
from storage import db as store


def test_rows_in_and_out_and_unknown_values_keep_what_was_stored(tmp_path):
    db = store.open_db(tmp_path / "digest.db")
    assert learned_about(db, "http://127.0.0.1:8090/v1", "gemma") is None
    keep_learned(db, "http://127.0.0.1:8090/v1", "gemma", Learned(mode="json_object_schema"))
    keep_learned(
        db, "http://127.0.0.1:8090/v1", "gemma", Learned(context_tokens=8192, token_ratio=1.2, mode=None)
    )
    row = learned_about(store.open_db(tmp_path / "digest.db"), "http://127.0.0.1:8090/v1", "gemma")
    assert (row.mode, row.context_tokens, row.token_ratio, row.concurrency) == (
        "json_object_schema",
        8192,
        1.2,
        None,
    )
    assert learned_about(db, "http://127.0.0.1:8090/v1", "other") is None
    with pytest.raises(TypeError, match="api_key"):  # only the known facts can be kept: never a credential
        Learned(api_key="sk-secret")  # type: ignore[call-arg]
    assert "m008_llm_endpoints" in {r["name"] for r in db["_migrations"].rows}
