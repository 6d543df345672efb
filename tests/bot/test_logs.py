"""Log lines: the start line at any verbosity, JSON when asked, retried HTTP answers without secrets."""

from __future__ import annotations

import json
import logging

import httpx

from bot.logs import ALWAYS, JsonFormatter, RetriedResponses, configure_logging


def _record(name: str, level: int, msg: str, args: tuple = (), **extra: object) -> logging.LogRecord:
    record = logging.LogRecord(name, level, __file__, 1, msg, args, None)
    record.__dict__.update(extra)
    return record


def _passes(record: logging.LogRecord) -> bool:
    return all(h.filter(record) for h in logging.getLogger().handlers if h.filters)


def test_the_start_line_is_shown_without_verbose():
    configure_logging(0)
    assert _passes(_record("bot.app", logging.INFO, "running", **{ALWAYS: True}))
    assert not _passes(_record("bot.app", logging.INFO, "chatter"))
    configure_logging(1)
    assert _passes(_record("bot.app", logging.INFO, "chatter"))
    configure_logging(0)


def test_asyncios_warning_of_a_child_already_reaped_is_kept_for_debugging_only():
    reaped = _record("asyncio", logging.WARNING, "Unknown child process pid %d, will report returncode 255", (4242,))
    other = _record("asyncio", logging.WARNING, "Executing <Task> took 1.2 seconds")
    configure_logging(0)
    log = logging.getLogger("asyncio")
    assert not log.filter(reaped) and log.filter(other) and _passes(other)
    configure_logging(2)
    assert log.filter(reaped)
    configure_logging(0)
    assert len(log.filters) == 1  # configured again, not stacked


def test_json_lines():
    line = json.loads(JsonFormatter().format(_record("bot.app", logging.WARNING, "hello %s", ("there",))))
    assert line["level"] == "warning" and line["message"] == "hello there" and line["logger"] == "bot.app"


def test_only_retried_answers_pass_and_their_url_loses_credentials_and_query():
    url = httpx.URL("https://user:pw@llm.example/v1/chat/completions?key=s3cret")
    args = ("POST", url, "HTTP/1.1", 429, "Too Many Requests")
    retried = _record("httpx", logging.INFO, 'HTTP Request: %s %s "%s %d %s"', args)
    assert RetriedResponses().filter(retried)
    text = retried.getMessage()
    assert (
        text == "POST llm.example/v1/chat/completions answered 429 Too Many Requests; the request is retried"
    )
    ok = _record("httpx", logging.INFO, 'HTTP Request: %s %s "%s %d %s"', ("GET", url, "HTTP/1.1", 200, "OK"))
    assert not RetriedResponses().filter(ok) and RetriedResponses(keep_others=True).filter(ok)
