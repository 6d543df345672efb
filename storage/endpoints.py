"""What was learned about each LLM endpoint and model: rows in, rows out."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlite_utils

Row = dict[str, Any]
_FIELDS = ("mode", "context_tokens", "token_ratio", "concurrency")


def get_endpoint(db: sqlite_utils.Database, endpoint: str, model: str) -> Row | None:
    """The row of `endpoint` and `model`, or None when nothing was learned yet."""
    cur = db.execute("select * from llm_endpoints where endpoint = ? and model = ?", [endpoint, model])
    row = cur.fetchone()
    if row is None:
        return None
    return dict(zip([c[0] for c in cur.description], row, strict=True))


def save_endpoint(db: sqlite_utils.Database, endpoint: str, model: str, facts: Row) -> None:
    """Store the known facts of `endpoint` and `model`; a None value keeps what was stored."""
    values = {k: facts[k] for k in _FIELDS if facts.get(k) is not None}
    unknown = set(facts) - set(_FIELDS)
    if unknown:
        raise ValueError(f"unknown endpoint fields: {', '.join(sorted(unknown))}")
    row = {"endpoint": endpoint, "model": model, **values}
    row["updated_at"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    with db.conn:
        db["llm_endpoints"].upsert(row, pk=("endpoint", "model"))
