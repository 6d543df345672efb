"""Log lines on stderr: plain or JSON, with retries of HTTP requests made visible at -v."""

from __future__ import annotations

import datetime as dt
import json
import logging
import sys
from typing import Any, TextIO
from urllib.parse import urlsplit

from analysis.redact import install_log_redaction

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
ALWAYS = "always"  # the `extra` key of a record printed at any verbosity (serve's start line)
RETRIED = "retried"  # the `extra` key of a reworded httpx line: what answered what
RETRIED_STATUSES = {408, 409, 429} | set(range(500, 600))


class _StderrHandler(logging.StreamHandler):
    """A handler writing to whatever sys.stderr is now, so a live progress display can draw around its lines."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property  # type: ignore[override]
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, _value: TextIO) -> None:
        pass


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message (and the exception's first line)."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            line["error"] = f"{type(exc).__name__}: {exc}".splitlines()[0]
        return json.dumps(line, ensure_ascii=False)


class RetriedResponses(logging.Filter):
    """Rewords httpx's request lines for answers that are retried (408, 409, 429, 5xx); drops the others.

    The URL is reduced to host and path, so no credential or query string is logged. The reworded record
    carries RETRIED (the status), for progress displays. With `keep_others` the other lines pass unchanged (-vv).
    """

    def __init__(self, keep_others: bool = False) -> None:
        super().__init__()
        self.keep_others = keep_others

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args if isinstance(record.args, tuple) else ()
        if len(args) < 5 or not isinstance(args[3], int) or args[3] not in RETRIED_STATUSES:
            return self.keep_others
        parts = urlsplit(str(args[1]))
        where = f"{parts.hostname or ''}{parts.path}"
        record.msg, record.args = "%s %s answered %d %s; the request is retried", (args[0], where, *args[3:5])
        setattr(record, RETRIED, f"{parts.hostname or ''} answered {args[3]}")
        return True


class ReapedChildren(logging.Filter):
    """Drops asyncio's "Unknown child process pid N" warning unless `keep`: a git process the run killed and waited
    for when it stopped, reaped before asyncio's own watcher could (a race inside asyncio, harmless to the run)."""

    def __init__(self, keep: bool) -> None:
        super().__init__()
        self.keep = keep

    def filter(self, record: logging.LogRecord) -> bool:
        return self.keep or not str(record.msg).startswith("Unknown child process pid")


def configure_logging(verbose: int, fmt: str = "text") -> None:
    """Warnings on stderr, -v info (retries and waits), -vv debug; `fmt` "json" writes JSON lines."""
    level = logging.WARNING - 10 * min(verbose, 2)
    install_log_redaction()  # no credential reaches a log line, in either format
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, _StderrHandler)]:
        root.removeHandler(old)
    handler = _StderrHandler()
    handler.addFilter(lambda r: r.levelno >= level or getattr(r, ALWAYS, False))
    handler.setFormatter(JsonFormatter() if fmt == "json" else logging.Formatter(TEXT_FORMAT))
    root.addHandler(handler)
    root.setLevel(min(level, logging.INFO))  # INFO records reach progress displays even when not printed
    _replace_filter(logging.getLogger("httpx"), RetriedResponses(keep_others=verbose >= 2))
    _replace_filter(logging.getLogger("asyncio"), ReapedChildren(keep=verbose >= 2))


def _replace_filter(log: logging.Logger, new: logging.Filter) -> None:
    """`new` on `log` in place of any filter of its class an earlier configuration added."""
    for old in [f for f in log.filters if type(f) is type(new)]:
        log.removeFilter(old)
    log.addFilter(new)
