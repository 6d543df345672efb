"""The short text answers of commands, buttons and mentions: one safe line each."""

from __future__ import annotations

from analysis.lookup import Lookup, LookupKind
from analysis.scope import display_name
from analysis.strings import t
from bot.slack.mrkdwn import escape, truncate

LINE_CHARS = 300
MAX_CANDIDATES = 10


def one_line(text: str) -> str:
    """Untrusted text as one short, escaped, mention-free line."""
    return truncate(escape(" ".join(str(text).split())), LINE_CHARS)


def lookup_text(result: Lookup, language: str = "en") -> str:
    """The one-line (or short list) answer for a lookup that found no single commit, in `language`."""
    prefix = one_line(result.query.prefix) if result.query else ""
    if result.kind is LookupKind.AMBIGUOUS and result.candidates:
        head = result.message if language == "en" else ""
        lines = [one_line(head or t(language, "lookup_ambiguous"))]
        for c in result.candidates[:MAX_CANDIDATES]:
            lines.append(f"• `{c.sha[:12]}` {one_line(display_name(c.repo))}: {one_line(c.title)}")
        if len(result.candidates) > MAX_CANDIDATES:
            lines.append(t(language, "lookup_more", n=len(result.candidates) - MAX_CANDIDATES))
        return "\n".join(lines)
    if result.kind is LookupKind.NOT_WATCHED and result.query and result.query.repo:
        return t(language, "not_watched", repo=one_line(result.query.repo))
    if language != "en" and result.kind in (LookupKind.MALFORMED, LookupKind.UNKNOWN):
        key = "lookup_malformed" if result.kind is LookupKind.MALFORMED or not prefix else "lookup_unknown"
        return t(language, key, prefix=prefix, reason="")
    return one_line(result.message or t(language, "no_such_commit"))
