"""What is learned about LLM endpoints, in a real SQLite file, through the migration that made the table."""

from __future__ import annotations

import pytest

from storage import db as store
from storage import endpoints


def test_rows_in_and_out_and_unknown_values_keep_what_was_stored(tmp_path):
    db = store.open_db(tmp_path / "digest.db")
    assert endpoints.get_endpoint(db, "http://127.0.0.1:8090/v1", "gemma") is None
    endpoints.save_endpoint(db, "http://127.0.0.1:8090/v1", "gemma", {"mode": "json_object_schema"})
    endpoints.save_endpoint(
        db, "http://127.0.0.1:8090/v1", "gemma", {"context_tokens": 8192, "token_ratio": 1.2, "mode": None}
    )
    row = endpoints.get_endpoint(store.open_db(tmp_path / "digest.db"), "http://127.0.0.1:8090/v1", "gemma")
    assert (row["mode"], row["context_tokens"], row["token_ratio"], row["concurrency"]) == (
        "json_object_schema",
        8192,
        1.2,
        None,
    )
    assert endpoints.get_endpoint(db, "http://127.0.0.1:8090/v1", "other") is None
    with pytest.raises(ValueError, match="unknown endpoint fields: api_key"):
        endpoints.save_endpoint(db, "http://127.0.0.1:8090/v1", "gemma", {"api_key": "sk-secret"})
    assert "m008_llm_endpoints" in {r["name"] for r in db["_migrations"].rows}
