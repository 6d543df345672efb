"""The short card written from the scorer's verdict when no LLM is configured."""

from __future__ import annotations

import re
from collections import Counter

from analysis.importance import change_type_label
from analysis.models import PR_SUFFIX_RE, Analysis, AnalysisStatus, Card, Commit, Score
from analysis.strings import t

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


_SENTENCE_END_RE = re.compile(r"[.!?](?=\s)|[。！？]")
_CLAUSE_END_RE = re.compile(r"[,;:](?=\s)|[，；：]|\s[-–—]\s")


def shorten(text: str, limit: int = MAX_LINE) -> str:
    """`text` within `limit` characters, cut after a sentence, else after a clause or a word with an ellipsis."""
    if len(text) <= limit:
        return text
    head = text[: limit - 1]
    ends = [m.end() for m in _SENTENCE_END_RE.finditer(head)]
    if ends and ends[-1] > limit // 3:
        return head[: ends[-1]].rstrip()
    clauses = [m.start() for m in _CLAUSE_END_RE.finditer(head)]
    if clauses and clauses[-1] > limit // 3:
        return head[: clauses[-1]].rstrip() + "…"
    space = head.rfind(" ")
    return (head[:space] if space > limit // 3 else head).rstrip() + "…"


def _body_line(commit: Commit) -> str | None:
    """The first paragraph of the message body that says something, re-joined across its wrapped lines."""
    comment = False
    paragraph: list[str] = []
    for raw in commit.message.splitlines()[1:]:
        line = raw.strip()
        if line.startswith("<!--"):
            comment = "-->" not in line
            continue
        if comment:
            comment = "-->" not in line
            continue
        bullet = re.match(r"^[-*•]\s+", line)
        line = line[bullet.end() :] if bullet else line
        skip = not line or _TRAILER_RE.match(line) or _NOISE_RE.match(line) or line == commit.title
        if paragraph and (skip or bullet):
            break
        if not skip:
            paragraph.append(line)
    return shorten(" ".join(paragraph)) if paragraph else None


def impact_scope(commit: Commit, language: str = "en") -> list[str]:
    """Directories the commit touches with their file counts, largest first, at most six."""
    dirs = [f.path.split("/")[:-1] or [f.path] for f in commit.files]
    depth = MAX_DEPTH
    while depth > 1 and len({tuple(d[:depth]) for d in dirs}) > MAX_SCOPES:
        depth -= 1
    counts = Counter("/".join(d[:depth]) for d in dirs)
    top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:MAX_SCOPES]
    return [f"{name} ({t(language, 'files', n=n)})" for name, n in top]


def heuristic_card(commit: Commit, score: Score, language: str = "en") -> Card:
    """A short card from the commit message, the paths and the scorer's verdict."""
    summary = [clean_title(commit.title)]
    if line := _body_line(commit):
        summary.append(line)
    return Card(
        change_type=change_type_label(score.change_type, language),
        importance=score.importance,
        importance_reason=t(language, "sep").join(score.reasons),
        summary=summary,
        impact_scope=impact_scope(commit, language),
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
