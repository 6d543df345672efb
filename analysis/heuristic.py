"""The short card written from the scorer's verdict when no LLM is configured."""

from __future__ import annotations

import re
from collections import Counter

from analysis.importance import change_type_label
from analysis.models import PR_SUFFIX_RE, Analysis, AnalysisStatus, Card, Commit, Score

MAX_SCOPES = 6
MAX_DEPTH = 5
MAX_LINE = 200

_TAGS_RE = re.compile(r"^(\s*\[[^\]]{1,40}\]\s*)+")
_PREFIX_RE = re.compile(r"^[A-Za-z]+(\([^)]*\))?!?:\s*")
_TRAILER_RE = re.compile(
    r"^([\w-]+-by|change-id|cc|fixes|closes|resolves|refs?|related|link|see)\s*:"
    r"|^(closes|fixes|resolves)\s+\S*#\d+|^\(cherry picked from",
    re.I,
)
_NOISE_RE = re.compile(r"^(#+\s|<!--|-->|---+$|===+$|\[[ xX]\]|https?://\S+$|```)")


def clean_title(title: str) -> str:
    """The title without its `(#123)` suffix, bracket tags and conventional prefix."""
    text = PR_SUFFIX_RE.sub("", title)
    text = _PREFIX_RE.sub("", _TAGS_RE.sub("", text)).strip()
    return (text[:1].upper() + text[1:]) if text else title.strip()


def _body_line(commit: Commit) -> str | None:
    comment = False
    for raw in commit.message.splitlines()[1:]:
        line = raw.strip()
        if line.startswith("<!--"):
            comment = "-->" not in line
            continue
        if comment:
            comment = "-->" not in line
            continue
        line = re.sub(r"^[-*•]\s+", "", line)
        if not line or _TRAILER_RE.match(line) or _NOISE_RE.match(line) or line == commit.title:
            continue
        return line if len(line) <= MAX_LINE else line[: MAX_LINE - 1] + "…"
    return None


def impact_scope(commit: Commit) -> list[str]:
    """Directories the commit touches with their file counts, largest first, at most six."""
    dirs = [f.path.split("/")[:-1] or [f.path] for f in commit.files]
    depth = MAX_DEPTH
    while depth > 1 and len({tuple(d[:depth]) for d in dirs}) > MAX_SCOPES:
        depth -= 1
    counts = Counter("/".join(d[:depth]) for d in dirs)
    top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:MAX_SCOPES]
    return [f"{name} ({n} file{'s' if n != 1 else ''})" for name, n in top]


def heuristic_card(commit: Commit, score: Score, language: str = "en") -> Card:
    """A short card from the commit message, the paths and the scorer's verdict."""
    summary = [clean_title(commit.title)]
    if line := _body_line(commit):
        summary.append(line)
    return Card(
        change_type=change_type_label(score.change_type, language),
        importance=score.importance,
        importance_reason="; ".join(score.reasons),
        summary=summary,
        impact_scope=impact_scope(commit),
    )


def heuristic_analysis(commit: Commit, score: Score, language: str = "en") -> Analysis:
    """The HEURISTIC analysis record of a commit, carrying its heuristic card."""
    return Analysis(
        sha=commit.sha,
        status=AnalysisStatus.HEURISTIC,
        scored=score.importance,
        card=heuristic_card(commit, score, language),
        reasons=list(score.reasons),
        language=language,
    )
