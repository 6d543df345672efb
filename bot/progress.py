"""The progress of a digest run on stderr, one line per repository with its phase and ETA; silent off a terminal."""

from __future__ import annotations

import datetime as dt
import logging
from types import TracebackType

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
)

from analysis.progress import WAIT_KIND, WAIT_UNTIL, Phase, ProgressEvent
from analysis.strings import plural
from bot.logs import RETRIED, RetriedResponses

WATCHED = ("analysis", "httpx")  # where waits and retried answers are announced

NAME_WIDTH = 32


class _WaitWatcher(logging.Handler):
    """Turns the log records announcing a wait or a retry into events on the display."""

    def __init__(self, display: ProgressDisplay) -> None:
        super().__init__(logging.INFO)
        self.display = display

    def emit(self, record: logging.LogRecord) -> None:
        until = getattr(record, WAIT_UNTIL, None)
        if isinstance(until, dt.datetime):
            self.display.waiting(until, getattr(record, WAIT_KIND, Phase.WAITING))
            return
        if not hasattr(record, RETRIED) and record.name.startswith("httpx"):
            RetriedResponses().filter(record)  # when logging was not configured by the CLI
        if retried := getattr(record, RETRIED, None):
            self.display.waiting(None, Phase.RETRYING, str(retried))


class ProgressDisplay:
    """Phases (listing, fetching n/N, analyzing n/N, waiting until HH:MM) and an ETA per repository."""

    def __init__(self, console: Console | None = None) -> None:
        self.console = console or Console(stderr=True)
        self.enabled = self.console.is_terminal
        self._progress = Progress(
            TextColumn("{task.fields[name]}", style="bold"),
            TextColumn("{task.description}"),
            BarColumn(bar_width=24),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=self.console,
            transient=False,
            disable=not self.enabled,
        )
        self._tasks: dict[str, TaskID] = {}
        self._counts: dict[str, dict[Phase, int]] = {}
        self._current: str | None = None
        self._levels: dict[str, int] = {}
        self._watcher = _WaitWatcher(self)

    def __enter__(self) -> ProgressDisplay:
        if self.enabled:
            self._progress.start()
            for name in WATCHED:
                logger = logging.getLogger(name)
                self._levels[name] = logger.level
                if logger.getEffectiveLevel() > logging.INFO:  # waits are announced at INFO
                    logger.setLevel(logging.INFO)
                logger.addHandler(self._watcher)
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self.enabled:
            for name, level in self._levels.items():
                logging.getLogger(name).removeHandler(self._watcher)
                logging.getLogger(name).setLevel(level)
            self._progress.stop()

    def update(self, event: ProgressEvent) -> None:
        """Show `event` on its repository's line."""
        if not self.enabled:
            return
        self._current = event.repo
        task = self._task(event.repo)
        counts = self._counts.setdefault(event.repo, {})
        if event.phase is Phase.LISTING:
            self._progress.update(task, description="listing commits")
            return
        if event.phase is Phase.WAITING and event.until is not None:
            local = event.until.astimezone().strftime("%H:%M")
            self._progress.update(task, description=f"waiting for the rate limit until {local}")
            return
        if event.phase is Phase.RETRYING:
            at = f" at {event.until.astimezone():%H:%M:%S}" if event.until is not None else ""
            self._progress.update(
                task, description=f"retrying{at}" + (f" ({event.note})" if event.note else "")
            )
            return
        counts[event.phase] = event.done
        if event.phase is Phase.DONE:
            description = f"done, {event.total} {plural(event.total, 'commit', 'commits')}"
        else:
            description = (
                f"fetching {counts.get(Phase.FETCHING, 0)}/{event.total}, "
                f"analyzing {counts.get(Phase.ANALYZING, 0)}/{event.total}"
            )
        self._progress.update(
            task,
            description=description,
            total=max(event.total, 1),
            completed=event.total if event.phase is Phase.DONE else counts.get(Phase.ANALYZING, 0),
        )

    def waiting(self, until: dt.datetime | None, phase: Phase = Phase.WAITING, note: str = "") -> None:
        """Show a wait or a retry on the line of the repository being read."""
        if self._current is not None:
            self.update(ProgressEvent(self._current, phase, until=until, note=note))

    def _task(self, repo: str) -> TaskID:
        if repo not in self._tasks:
            name = repo if len(repo) <= NAME_WIDTH else "…" + repo[-(NAME_WIDTH - 1) :]
            self._tasks[repo] = self._progress.add_task("", total=None, name=name)
        return self._tasks[repo]
