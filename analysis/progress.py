"""What a digest run reports while it works: one small event per step, for any display."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable
from dataclasses import dataclass

WAIT_UNTIL = "wait_until"  # the `extra` key of a log record announcing a wait (an aware datetime)
WAIT_KIND = "wait_kind"  # its companion: Phase.WAITING (a rate limit) or Phase.RETRYING (an error)


class Phase(enum.StrEnum):
    """Where one repository's run is."""

    LISTING = "listing"
    FETCHING = "fetching"
    ANALYZING = "analyzing"
    WAITING = "waiting"
    RETRYING = "retrying"
    DONE = "done"


@dataclass(frozen=True)
class ProgressEvent:
    """One step of one repository's run: `done` of `total` in `phase`, or a wait `until` a time, or a retry."""

    repo: str
    phase: Phase
    done: int = 0
    total: int = 0
    until: dt.datetime | None = None
    note: str = ""  # what is retried


Progress = Callable[[ProgressEvent], None]
