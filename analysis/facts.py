"""What the report and Slack both show, written once: counts, emoji, usage, status notes, links, clipping."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from analysis.models import Analysis, AnalysisStatus, Commit, DigestEntry, Importance, RepoDigest, Usage
from analysis.redact import redact
from analysis.strings import t

LEVELS = (Importance.HIGH, Importance.MEDIUM, Importance.LOW)
EMOJI = {Importance.HIGH: "🔴", Importance.MEDIUM: "🟡", Importance.LOW: "🟢"}
ELLIPSIS = "…"
REASON_MAX = 120
_URL_RE = re.compile(r"https?://([^/\s]+)\S*")
_SAFE_URL_RE = re.compile(r"^https?://[^\s<>()\[\]`\"'|\\]+$")
_BRIEF_NOTE = {
    AnalysisStatus.FAILED: "note_failed",
    AnalysisStatus.PENDING: "note_pending",
    AnalysisStatus.HEURISTIC: "note_heuristic",
}


# ---- untrusted text ---------------------------------------------------------------------------


def clean(text: str | None) -> str:
    """Untrusted text without control or format characters (bidi overrides, zero-width); line breaks
    and tabs kept."""
    return "".join(ch for ch in text or "" if ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Cf"))


def plain(text: str | None) -> str:
    """One line of untrusted text: control and format characters removed, whitespace collapsed."""
    return " ".join(clean("".join(" " if ch.isspace() else ch for ch in text or "")).split())


def display_width(text: str) -> int:
    """Terminal columns a string takes: wide and full-width characters count two."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def clip(text: str, limit: int, *, width: Callable[[str], int] = len) -> str:
    """`text` cut to `limit` (characters, or what `width` measures) with an ellipsis when cut."""
    if width(text) <= limit:
        return text
    room = limit - width(ELLIPSIS)
    out, used = [], 0
    for ch in text:
        w = width(ch)
        if used + w > room:
            break
        out.append(ch)
        used += w
    return "".join(out).rstrip() + ELLIPSIS


def short(text: str | None, limit: int) -> str:
    """Untrusted text as one clean line of at most `limit` characters."""
    return clip(plain(text), limit)


def error_reason(error: str | None) -> str:
    """The first line of an error, redacted, URLs reduced to their host, at most REASON_MAX characters."""
    first = plain(redact((error or "").strip().split("\n", 1)[0]))
    return clip(_URL_RE.sub(lambda m: m.group(1), first), REASON_MAX)


# ---- addresses --------------------------------------------------------------------------------


def safe_url(url: str | None) -> str | None:
    """The URL when it is a plain http(s) address safe to put in a link, else None."""
    return url if url and _SAFE_URL_RE.match(url) else None


def commit_url(commit: Commit) -> str | None:
    """The commit's web address, when it has a safe one."""
    return safe_url(commit.url)


def pr_url(commit: Commit, repo_url: str | None = None) -> str | None:
    """The pull request address of a commit whose title names one (`… (#123)`), else None."""
    if commit.pr is None:
        return None
    base = safe_url(repo_url) or safe_url(commit.repo_url)
    return f"{base.rstrip('/')}/pull/{commit.pr}" if base else None


# ---- commits ---------------------------------------------------------------------------------


def local_time(d: datetime, tz: str) -> datetime:
    """`d` in the digest's timezone."""
    return d.astimezone(ZoneInfo(tz))


def file_counts(commit: Commit) -> tuple[int | None, int | None, int | None]:
    """Files touched, lines added and lines deleted; None when unknown."""
    if not commit.files and commit.total_files is None:
        return None, None, None
    count = commit.total_files if commit.total_files is not None else len(commit.files)
    if not commit.files:
        return count, None, None
    return count, commit.additions, commit.deletions


def summary_lines(entry: DigestEntry) -> list[str]:
    """The card's summary points, or the commit title when there is no card."""
    card = entry.analysis.card
    points = [plain(s) for s in card.summary if plain(s)] if card else []
    return points or [plain(entry.commit.title)]


# ---- counts and notes -------------------------------------------------------------------------


@dataclass(frozen=True)
class Stats:
    """One repository's commit counts, by importance, and its unfinished analyses."""

    total: int
    levels: dict[Importance, int]
    failed: int
    pending: int

    def unfinished(self) -> list[tuple[str, int]]:
        """("failed", n) and ("pending", n), each only when n is not zero."""
        return [(k, n) for k, n in (("failed", self.failed), ("pending", self.pending)) if n]


def stats(repo: RepoDigest) -> Stats:
    """The counts every stats line shows."""
    s = repo.stats()
    return Stats(s["total"], {lv: s[lv.value] for lv in LEVELS}, s["failed"], s["pending"])


def usage_line(usage: Usage, language: str, *, brief: bool = False) -> str | None:
    """What the LLM cost this run, or None when nothing was spent. `brief` gives the chat form
    (`LLM: 12 calls · 34,567 tokens · $0.0123`), else the report's (prompt and completion apart)."""
    tokens = usage.prompt_tokens + usage.completion_tokens
    if not (usage.llm_calls or tokens or usage.cost_usd):
        return None
    if brief:
        line = t(language, "llm_usage", calls=usage.llm_calls, tokens=tokens)
        return line if usage.cost_usd is None else f"{line} · ${usage.cost_usd:.4f}"
    line = t(
        language,
        "usage",
        calls=usage.llm_calls,
        prompt=usage.prompt_tokens,
        completion=usage.completion_tokens,
    )
    if usage.cost_usd is not None:
        line += t(language, "sep") + t(language, "cost", cost=usage.cost_usd)
    return line


def status_note(analysis: Analysis, language: str) -> str | None:
    """The honest one-line note for a pending or failed analysis (with the attempts and reason)."""
    if analysis.status == AnalysisStatus.PENDING:
        return t(language, "pending")
    if analysis.status == AnalysisStatus.FAILED:
        reason = error_reason(analysis.error)
        if reason:
            return t(language, "failed", n=analysis.attempts, reason=reason)
        return t(language, "failed_no_reason", n=analysis.attempts)
    return None


def brief_note(status: AnalysisStatus, language: str) -> str | None:
    """A few words on an analysis that is not a finished LLM card (failed, pending, heuristic)."""
    return t(language, _BRIEF_NOTE[status]) if status in _BRIEF_NOTE else None
