"""A checker for Chinese output: which English words remain once code, names and product terms are set aside."""

from __future__ import annotations

import re
from collections.abc import Iterable

# Product and technical terms a Chinese reader sees in English anyway.
ALLOWED = {"LLM", "CI", "API", "PR", "SHA", "UTC", "GitHub", "Slack", "tokens", "commit-digest"}

_IGNORED = [
    re.compile(r"`[^`\n]*`"),  # code
    re.compile(r"<[^>\n]*>"),  # Slack links and mentions, HTML anchors
    re.compile(r"\]\([^)\s]*\)"),  # Markdown link targets
    re.compile(r"https?://\S+"),  # URLs
    re.compile(r"\b[0-9a-f]{7,40}\b"),  # SHAs
    re.compile(r"[\w.~-]+(?:/[\w.*-]+)+/?|\b[\w.-]+/(?=\W|$)"),  # repository names and paths (also "docs/")
    re.compile(r"\bcommit-digest\b"),
]
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]*[A-Za-z]|[A-Za-z]")


def english_words(text: str, names: Iterable[str] = ()) -> set[str]:
    """English words in `text`, leaving out code, links, URLs, SHAs, paths, the given `names` and ALLOWED."""
    for pattern in _IGNORED:
        text = pattern.sub(" ", text)
    for name in sorted(names, key=len, reverse=True):
        text = text.replace(name, " ")
    return {w for w in _WORD.findall(text) if w not in ALLOWED and len(w) > 1}
