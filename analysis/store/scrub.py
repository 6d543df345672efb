"""What the store does to text before it is written: no credential is ever stored."""

from __future__ import annotations

from analysis.redact import redact
from storage.db import Row


def redacted(row: Row, *columns: str) -> Row:
    """`row` with the named text columns redacted: no credential is ever stored."""
    for col in columns:
        if row.get(col):
            row[col] = redact(row[col])
    return row
