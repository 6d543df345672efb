"""Team code indexes by head, and each channel's chosen code base: the SQL of `team_indexes` and `channel_team_code`."""

from __future__ import annotations

import json
from collections.abc import Iterable

import sqlite_utils

from analysis.teamcode.index import TeamIndex
from storage.db import is_read_only, now


def _packages_key(packages: Iterable[str]) -> str:
    return ",".join(sorted(set(packages)))


def get_team_index(
    db: sqlite_utils.Database, name: str, head: str, packages: Iterable[str]
) -> tuple[TeamIndex, dict[str, str]] | None:
    """The stored index of code base `name` at `head` for `packages` and its pin files; None when absent, unreadable
    or stored in another form."""
    rows = list(
        db.execute(
            "select index_json from team_indexes where name = ? and head = ? and packages = ?",
            [name, head, _packages_key(packages)],
        ).fetchall()
    )
    if not rows:
        return None
    try:
        data = json.loads(rows[0][0])
        pins = {str(k): str(v) for k, v in (data.get("pin_files") or {}).items()}
        return TeamIndex.from_dict(data), pins
    except (ValueError, TypeError, KeyError):
        return None  # an unreadable row is rebuilt


def save_team_index(
    db: sqlite_utils.Database,
    name: str,
    head: str,
    packages: Iterable[str],
    index: TeamIndex,
    pin_files: dict[str, str] | None = None,
) -> None:
    """Store the index of `name` at `head` (and its dependency pin files), dropping those of other heads."""
    if is_read_only(db):
        return
    key = _packages_key(packages)
    row = {
        "name": name,
        "head": head,
        "packages": key,
        "index_json": json.dumps({**index.to_dict(), "pin_files": pin_files or {}}),
        "built_at": now(),
    }
    with db.conn:
        db.execute("delete from team_indexes where name = ? and head != ?", [name, head])
        db["team_indexes"].upsert(row, pk=("name", "head", "packages"))


def channel_team_code(db: sqlite_utils.Database, channel: str) -> str | None:
    """The code base name a channel chose with `/digest uses`, or None."""
    row = db.execute("select name from channel_team_code where channel = ?", [channel]).fetchone()
    return row[0] if row else None


def set_channel_team_code(db: sqlite_utils.Database, channel: str, name: str) -> None:
    """Remember the code base a channel checks upstream changes against."""
    with db.conn:
        db["channel_team_code"].upsert({"channel": channel, "name": name, "set_at": now()}, pk="channel")
