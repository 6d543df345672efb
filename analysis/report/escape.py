"""Untrusted text (commits, model answers, errors) as literal Markdown text.

CommonMark and GitHub Flavored Markdown turn some text into links, images, raw HTML, headings, quotes,
lists, tables or emphasis. Everything written here renders as the text it is: the characters that open
those constructs are escaped, and what a viewer would link by itself (bare URLs, `www.` names, e-mail
addresses) is shown as code, where nothing is a link. Backtick spans the text already has stay code.
"""

from __future__ import annotations

import re
from bisect import bisect_right

from analysis.facts import clip, plain
from analysis.strings import t

FIELD_CHARS = 3000  # one model-written field (a summary point, a risk, the conclusion)
LIST_CHARS = 8000  # one model-written list (all summary points, all risks)
TITLE_CHARS = 500  # a commit title, an author or a repository name

# Characters that open or close inline Markdown (links, emphasis, strikethrough, code, tables).
_INLINE = str.maketrans({c: "\\" + c for c in "\\`*_[]|~"} | {"&": "&amp;", "<": "&lt;", ">": "&gt;"})
# What GFM (and viewers using linkify) would turn into a link without brackets.
_LINKLIKE = re.compile(
    r"(?:[A-Za-z][A-Za-z0-9+.-]{0,30}://|(?<![\w/:])//(?=[\w-]+\.)|www\.|(?:mailto|xmpp):)[^\s<>`]*"
    r"|[\w.+-]+@[\w-]+(?:\.[\w-]+)+",
    re.I,
)
_BACKTICKS = re.compile(r"`+")
_BLOCK_START = re.compile(r"^(?:[#+=-]|\d{1,9}(?=[.)]))")
_TRAILING_HASHES = re.compile(r"(\s)(#+)$")


def code_span(text: str, *, cell: bool = False) -> str:
    """`text` as a code span whose delimiters no backtick inside can close."""
    longest = max((len(run) for run in _BACKTICKS.findall(text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or not text.strip() else ""
    body = text.replace("|", "\\|") if cell else text
    return f"{fence}{pad}{body}{pad}{fence}"


def _words(text: str, cell: bool) -> str:
    """Text outside code spans: link-like parts as code, every other Markdown character escaped."""
    out, at = [], 0
    for m in _LINKLIKE.finditer(text):
        out += [text[at : m.start()].translate(_INLINE), code_span(m.group(), cell=cell)]
        at = m.end()
    out.append(text[at:].translate(_INLINE))
    return "".join(out)


def _spans(text: str) -> list[tuple[bool, str]]:
    """(is_code, part) pieces: a backtick run closed by a run of the same length is a code span."""
    runs = list(_BACKTICKS.finditer(text))
    by_length: dict[int, list[int]] = {}
    for i, run in enumerate(runs):
        by_length.setdefault(len(run.group()), []).append(i)
    parts: list[tuple[bool, str]] = []
    at = i = 0
    while i < len(runs):
        same = by_length[len(runs[i].group())]
        k = bisect_right(same, i)
        if k == len(same):  # no run of this length closes it: the backticks are text
            i += 1
            continue
        close = same[k]
        parts += [(False, text[at : runs[i].start()]), (True, text[runs[i].end() : runs[close].start()])]
        at, i = runs[close].end(), close + 1
    parts.append((False, text[at:]))
    return [(code, part) for code, part in parts if part or code]


def md_text(text: str | None, *, cell: bool = False) -> str:
    """Untrusted text as one line of literal inline Markdown (`cell` for a table cell)."""
    out = []
    for code, part in _spans(plain(text)):
        out.append(code_span(part.strip(" ") or " ", cell=cell) if code else _words(part, cell))
    return "".join(out)


def md_block(text: str | None) -> str:
    """Untrusted text that starts a line, kept from opening a heading, quote, list, table or fence
    (`>`, `|`, `*`, `_`, `~` and backticks are already escaped by md_text)."""
    out = md_text(text)
    m = _BLOCK_START.match(out)
    if not m:
        return out
    if m.group()[:1].isdigit():  # "1. x" is a list item; "1\. x" is text
        return f"{m.group()}\\{out[m.end() :]}"
    return "\\" + out


def md_heading(text: str | None) -> str:
    """Untrusted text as the content of an ATX heading (a trailing `#` run is not a closing one)."""
    return _TRAILING_HASHES.sub(r"\1\\\2", md_text(text))


def bounded(text: str | None, language: str, limit: int = FIELD_CHARS) -> str:
    """One line of untrusted text, at most about `limit` characters, marked when shortened."""
    line = plain(text)
    if len(line) <= limit:
        return line
    return f"{clip(line, limit)} {t(language, 'shortened')}"


def bounded_list(items: list[str], language: str, limit: int = LIST_CHARS) -> list[str]:
    """The non-blank items, each bounded, as many as fit in `limit` characters, marked when cut."""
    out, used = [], 0
    for item in items:
        if not plain(item):
            continue
        line = bounded(item, language)
        if out and used + len(line) > limit:
            return [*out, t(language, "shortened")]
        out.append(line)
        used += len(line)
    return out
