"""What a digest run reports while it works: one small event per step, for any display."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable
from dataclasses import dataclass

WAIT_UNTIL = "wait_until"  # the `extra` key of a log record announcing a wait (an aware datetime)


class Phase(enum.StrEnum):
    """Where one repository's run is."""

    LISTING = "listing"
    FETCHING = "fetching"
    ANALYZING = "analyzing"
    WAITING = "waiting"
    DONE = "done"


@dataclass(frozen=True)
class ProgressEvent:
    """One step of one repository's run: `done` of `total` in `phase`, or a wait `until` a time."""

    repo: str
    phase: Phase
    done: int = 0
    total: int = 0
    until: dt.datetime | None = None


Progress = Callable[[ProgressEvent], None]
