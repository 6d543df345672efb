"""The short text answers of commands, buttons and mentions: one safe line each."""

from __future__ import annotations

from analysis.lookup import Lookup, LookupKind
from bot.slack.mrkdwn import escape, truncate

LINE_CHARS = 300
MAX_CANDIDATES = 10


def one_line(text: str) -> str:
    """Untrusted text as one short, escaped, mention-free line."""
    return truncate(escape(" ".join(str(text).split())), LINE_CHARS)


def lookup_text(result: Lookup) -> str:
    """The one-line (or short list) answer for a lookup that found no single commit."""
    if result.kind is LookupKind.AMBIGUOUS and result.candidates:
        lines = [one_line(result.message or "That prefix matches several commits:")]
        for c in result.candidates[:MAX_CANDIDATES]:
            lines.append(f"• `{c.sha[:12]}` {one_line(c.repo)}: {one_line(c.title)}")
        if len(result.candidates) > MAX_CANDIDATES:
            lines.append(f"… and {len(result.candidates) - MAX_CANDIDATES} more")
        return "\n".join(lines)
    return one_line(result.message or "No such commit.")
