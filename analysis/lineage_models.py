"""What a card shows of its lineage: the commits it reverts or follows up, and those that reverted or fixed it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass
class LineageRef:
    """Another commit a commit is linked to: its SHA and title, when it was committed, and the channel and
    day of the digest that announced it (None when none did)."""

    sha: str
    title: str = ""
    committed_at: datetime | None = None
    channel: str | None = None
    day: str | None = None


@dataclass
class EntryLineage:
    """What a commit reverts or follows up, and what reverted or followed it up later."""

    reverts: LineageRef | None = None
    reverted_by: LineageRef | None = None
    follows_up: list[LineageRef] = field(default_factory=list)
    followed_by: list[LineageRef] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.reverts or self.reverted_by or self.follows_up or self.followed_by)


__all__ = ["EntryLineage", "LineageRef"]
