"""The progress display: phases and waits on a terminal, nothing elsewhere."""

from __future__ import annotations

import datetime as dt
import io
import logging

from rich.console import Console

from analysis.progress import WAIT_UNTIL, Phase, ProgressEvent
from bot.progress import ProgressDisplay


def _console(terminal: bool) -> tuple[Console, io.StringIO]:
    out = io.StringIO()
    return Console(file=out, force_terminal=terminal, width=120, color_system=None), out


def _run(display: ProgressDisplay) -> None:
    with display:
        display.update(ProgressEvent("acme/engine", Phase.LISTING))
        display.console.print(display._progress)
        display.update(ProgressEvent("acme/engine", Phase.FETCHING, 3, 10))
        display.update(ProgressEvent("acme/engine", Phase.ANALYZING, 1, 10))
        display.console.print(display._progress)
        until = dt.datetime(2026, 1, 24, 9, 30, tzinfo=dt.UTC)
        logging.getLogger("analysis.sources.github").info("rate limit", extra={WAIT_UNTIL: until})
        display.console.print(display._progress)
        url = "https://llm.example/v1/chat/completions"
        args = ("POST", url, "HTTP/1.1", 429, "Too Many Requests")
        logging.getLogger("httpx").info('HTTP Request: %s %s "%s %d %s"', *args)  # as httpx logs an answer
        display.console.print(display._progress)
        display.update(ProgressEvent("acme/engine", Phase.DONE, 1, 1))


def test_nothing_is_drawn_off_a_terminal():
    console, out = _console(False)
    display = ProgressDisplay(console)
    assert not display.enabled
    with display:
        display.update(ProgressEvent("acme/engine", Phase.FETCHING, 3, 10))
    assert out.getvalue() == ""


def test_phases_counts_and_waits_on_a_terminal():
    console, out = _console(True)
    _run(ProgressDisplay(console))
    text = out.getvalue()
    assert "acme/engine" in text and "listing commits" in text
    assert "fetching 3/10, analyzing 1/10" in text and "1/10" in text
    local = dt.datetime(2026, 1, 24, 9, 30, tzinfo=dt.UTC).astimezone().strftime("%H:%M")
    assert f"waiting for the rate limit until {local}" in text
    assert "retrying (llm.example answered 429)" in text
    assert "done, 1 commit" in text and "1 commits" not in text
    assert not any(
        isinstance(h, type(ProgressDisplay(console)._watcher)) for h in logging.getLogger("analysis").handlers
    )
