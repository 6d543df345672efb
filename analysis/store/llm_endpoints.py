"""What was learned about each LLM endpoint and model, kept in the `llm_endpoints` table."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields

import sqlite_utils
from sqlite_utils.db import NotFoundError

from storage.db import now


@dataclass
class Learned:
    """Facts about one endpoint and model; None where nothing is known yet."""

    mode: str | None = None
    context_tokens: int | None = None
    token_ratio: float | None = None
    concurrency: int | None = None
    answer_tokens: int | None = None  # the longest usable card answer, in completion tokens


def learned_about(db: sqlite_utils.Database, endpoint: str, model: str) -> Learned | None:
    """What is known of `endpoint` and `model`, or None when nothing was learned yet."""
    try:
        row = db["llm_endpoints"].get((endpoint, model))
    except NotFoundError:
        return None
    return Learned(**{f.name: row.get(f.name) for f in fields(Learned)})


def keep_learned(db: sqlite_utils.Database, endpoint: str, model: str, learned: Learned) -> None:
    """Store the known facts of `endpoint` and `model`; a None value keeps what was stored."""
    values = {k: v for k, v in asdict(learned).items() if v is not None}
    row = {"endpoint": endpoint, "model": model, **values, "updated_at": now()}
    with db.conn:
        db["llm_endpoints"].upsert(row, pk=("endpoint", "model"))
