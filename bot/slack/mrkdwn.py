"""Make untrusted text safe for Slack mrkdwn: escaped, mention-free, cut without breaking entities."""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit

from analysis.facts import ELLIPSIS, clean

_JOINER = "\u2060"  # WORD JOINER: invisible, and Slack no longer sees a mention
_SPECIAL = re.compile(r"(?i)([@!])(?=channel|here|everyone|subteam)")
_ENTITY_TAIL = re.compile(r"&[#A-Za-z0-9]{0,8}$")
_URL_UNSAFE = "<>| \"'`\t\n\r"


def escape(text: str) -> str:
    """Escape `&`, `<`, `>` and neutralise every mention form in untrusted text."""
    # `clean` drops control and format characters (bidi overrides, zero-width joiners included).
    text = clean(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    # After escaping no `<` is left, so `<!channel>`, `<@U…>`, `<#C…>` and `<!subteam^…>` cannot
    # form; a word joiner after every `@` (and after `!` before a special name) also stops
    # `@channel`, `@here`, `@everyone`, `@user` from notifying anyone when Slack links names.
    text = text.replace("@", "@" + _JOINER)
    return _SPECIAL.sub(r"\1" + _JOINER, text)


def link(url: str | None, label: str) -> str:
    """A safe `<url|label>` link; only the escaped label when the URL is not http(s)."""
    safe_label = escape(label.replace("|", " ")).strip() or "link"
    if not url:
        return safe_label
    parts = urlsplit(url.strip())
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return safe_label
    safe_url = quote(url.strip(), safe="".join(chr(c) for c in range(33, 127) if chr(c) not in _URL_UNSAFE))
    return f"<{safe_url.replace('&', '&amp;')}|{safe_label}>"


def truncate(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters with an ellipsis, never inside an entity or link."""
    if len(text) <= limit:
        return text
    cut = text[: max(limit - len(ELLIPSIS), 0)]
    m = _ENTITY_TAIL.search(cut)
    if m:
        cut = cut[: m.start()]
    opened = cut.rfind("<")
    if opened > cut.rfind(">"):
        cut = cut[:opened]
    return cut + ELLIPSIS


_CHANNEL_ID = re.compile(r"^[CG][A-Z0-9]{1,30}$")


def channel_ref(channel: str) -> str:
    """A channel as Slack links it (`<#C…>`) when it is a channel ID, else its escaped name after `#`."""
    return f"<#{channel}>" if _CHANNEL_ID.match(channel) else escape("#" + channel.lstrip("#"))
