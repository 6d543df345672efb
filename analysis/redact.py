"""Remove credentials from text before it is logged, stored, rendered or posted.

One function, `redact`, applied where errors become text. It removes userinfo from URLs, the values of
`Authorization`-like headers and `api_key=`-like fields, well-known token shapes, and every secret the
settings registered (in any letter case, and URL-encoded).
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable
from urllib.parse import quote, unquote, urlsplit, urlunsplit

MASK = "[redacted]"
MIN_SECRET = 6  # shorter values would mask ordinary words

_USERINFO = re.compile(r"(?P<scheme>\b[a-zA-Z][a-zA-Z0-9+.-]*://)[^/\s@?#]+@")
_AUTH_HEADER = re.compile(
    r"(?i)(?P<key>\b(?:proxy-)?authorization\b[\"']?\s*[:=]\s*[\"']?)(?:(?:bearer|basic|token)\s+)?[^\s\"',;]+"
)
_BEARER = re.compile(r"(?i)\b(?P<key>bearer|basic)\s+[A-Za-z0-9._~+/=-]{6,}")
_KEY_VALUE = re.compile(
    r"(?i)(?P<key>\b(?:x-)?(?:api[_-]?key|access[_-]?token|auth[_-]?token|client[_-]?secret|password|passwd|secret)"
    r"\b[\"']?\s*[:=]\s*[\"']?)[^\s\"',;&]+"
)
_TOKEN_SHAPES = re.compile(
    r"\b(?:gh[pousr]_[A-Za-z0-9]{16,}|github_pat_[A-Za-z0-9_]{20,}|sk-[A-Za-z0-9_-]{16,}"
    r"|xox[abposr]-[A-Za-z0-9-]{10,}|xapp-[A-Za-z0-9-]{10,})"
)

_lock = threading.Lock()
_secrets: set[str] = set()
_secret_re: re.Pattern[str] | None = None


def register_secrets(values: Iterable[str | None]) -> None:
    """Remember configured secrets so `redact` removes them wherever they appear (any case, URL-encoded)."""
    global _secret_re
    with _lock:
        for value in values:
            if not value or len(value) < MIN_SECRET:
                continue
            _secrets.update({value, quote(value, safe=""), unquote(value)})
        forms = sorted((s for s in _secrets if len(s) >= MIN_SECRET), key=len, reverse=True)
        _secret_re = re.compile("|".join(re.escape(s) for s in forms), re.IGNORECASE) if forms else None


def url_secrets(url: str | None) -> list[str]:
    """The password (and user name) written into a URL's userinfo, to register as secrets."""
    if not url:
        return []
    try:
        parts = urlsplit(url)
    except ValueError:
        return []
    return [v for v in (parts.password, parts.username) if v]


def split_userinfo(url: str) -> tuple[str, tuple[str, str] | None]:
    """The URL without its `user:password@`, and that user and password (None when there were none)."""
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url, None
    host = parts.hostname or ""
    netloc = f"[{host}]" if ":" in host else host
    if parts.port is not None:
        netloc += f":{parts.port}"
    clean = urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))
    return clean, (unquote(parts.username or ""), unquote(parts.password or ""))


def redact(text: str) -> str:
    """`text` without URL userinfo, authorization values, token-shaped words or registered secrets."""
    if not text:
        return text
    text = str(text)
    if _secret_re is not None:
        text = _secret_re.sub(MASK, text)
    text = _USERINFO.sub(lambda m: m.group("scheme") + MASK + "@", text)
    text = _AUTH_HEADER.sub(lambda m: m.group("key") + MASK, text)
    text = _BEARER.sub(lambda m: m.group("key") + " " + MASK, text)
    text = _KEY_VALUE.sub(lambda m: m.group("key") + MASK, text)
    return _TOKEN_SHAPES.sub(MASK, text)


def redact_opt(text: str | None) -> str | None:
    """`redact` for optional text."""
    return None if text is None else redact(text)


def error_text(e: BaseException) -> str:
    """An exception as redacted text: its type and message."""
    return redact(f"{type(e).__name__}: {e}")


_installed = False


def install_log_redaction() -> None:
    """Redact every log record when it is created (message, arguments and traceback); idempotent."""
    global _installed
    if _installed:
        return
    previous = logging.getLogRecordFactory()

    def factory(*args: object, **kwargs: object) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        if isinstance(record.args, tuple):  # arguments stay apart (filters read them), each one redacted
            record.msg = redact(str(record.msg))
            record.args = tuple(
                a if isinstance(a, int | float | None) else redact(str(a)) for a in record.args
            )
        try:
            message = record.getMessage()
        except Exception:  # a malformed format string: keep the template, drop the arguments
            record.msg, record.args = redact(str(record.msg)), None
        else:
            if not isinstance(record.args, tuple) or redact(message) != message:
                record.msg, record.args = redact(message), None
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return record

    logging.setLogRecordFactory(factory)
    _installed = True
