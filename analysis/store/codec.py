"""What every table family shares: the row type, time and JSON columns, chunked key lists, and redaction."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

from analysis.redact import redact

Row = dict[str, Any]
T = TypeVar("T")
CHUNK = 500  # keys per `in (...)` query, well under SQLite's parameter limit


def iso(d: datetime | None) -> str | None:
    """A time as the ISO 8601 UTC text stored in columns, or None."""
    return d.astimezone(UTC).isoformat(timespec="seconds") if d else None


def parse_time(s: str | None) -> datetime | None:
    """A stored ISO 8601 time, or None."""
    return datetime.fromisoformat(s) if s else None


def decoded(value: str | list | dict | None, empty: list | dict) -> list | dict:
    """A JSON column's value (already decoded values pass through); `empty` when it is blank."""
    if isinstance(value, list | dict):
        return value
    return json.loads(value) if value else empty


def chunks(keys: Sequence[T]) -> Iterator[tuple[list[T], str]]:
    """`keys` in slices small enough for one query, each with its `?,?,...` placeholders."""
    for i in range(0, len(keys), CHUNK):
        part = list(keys[i : i + CHUNK])
        yield part, ",".join("?" * len(part))


def redacted(row: Row, *columns: str) -> Row:
    """`row` with the named text columns redacted: no credential is ever stored."""
    for col in columns:
        if row.get(col):
            row[col] = redact(row[col])
    return row
