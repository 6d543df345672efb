"""A module's outline: its text with every function body pruned away, so two versions whose outlines are equal
cannot differ in any signature, class or module-level name (instance attributes set in bodies are kept)."""

from __future__ import annotations

import functools
import re

from prune_source import prune_source

_SELF_ATTR = re.compile(r"self\.(\w+)\s*(?::[^=\n]+)?=(?!=)")  # at a word start (checked apart: a leading \b
# keeps the regex from searching for its literal start, several times slower on big modules)


@functools.lru_cache(maxsize=512)
def outline(text: str) -> str:
    """The module with every function body pruned away (signatures, classes and module-level names stay);
    the text itself when it cannot be pruned."""
    return pruned(text) + "\n".join(sorted(self_attributes(text)))  # instance attributes live in bodies


@functools.lru_cache(maxsize=512)
def pruned(text: str) -> str:
    """The module with every function body pruned away; the text itself when it cannot be pruned."""
    try:
        return prune_source(text) or text  # None: nothing to prune
    except Exception:  # noqa: BLE001 - a file it cannot read is compared whole, then griffe says why
        return text


@functools.lru_cache(maxsize=512)
def self_attributes(text: str) -> frozenset[str]:
    """The instance attributes a module's methods set (`self.name = ...`)."""
    found: set[str] = set()
    pos = 0
    while (m := _SELF_ATTR.search(text, pos)) is not None:
        start = m.start()
        if start and (text[start - 1].isalnum() or text[start - 1] == "_"):
            pos = start + 1  # inside a word (`myself.x`): look again from the next character
            continue
        found.add(m.group(1))
        pos = m.end()
    return frozenset(found)


_CLAUSES = ("else", "elif", "except", "finally")


@functools.lru_cache(maxsize=512)
def top_level(source: str) -> tuple[str, ...]:
    """A module's text cut where a line starts at the left margin: each piece one or more whole top-level statements
    (a decorator with its `def`, an `if` with its `else`). A cut inside a string or brackets leaves a piece that does
    not parse, so whoever parses the pieces knows to read the text whole instead."""
    pieces: list[str] = []
    lines = source.split(
        "\n"
    )  # only where Python ends a line (`splitlines` also cuts at form feeds and the like)
    lines = [line + "\n" for line in lines[:-1]] + [lines[-1]]
    start, decorating, quote = 0, False, None
    for i, line in enumerate(lines):
        first = line[:1]
        inside = quote
        if '"""' in line or "'''" in line:
            quote = _quote_after(line, quote)
        if inside or not first or first in " \t\r\n#)]}" or (decorating and first != "@"):
            decorating = decorating and first in " \t\r\n#)]}"
            continue
        word = line.split(None, 1)[0].split(":", 1)[0].split("(", 1)[0]
        if word in _CLAUSES:
            continue
        if i > start and not decorating:
            pieces.append("".join(lines[start:i]))
            start = i
        decorating = first == "@"
    pieces.append("".join(lines[start:]))
    return tuple(pieces)


def _quote_after(line: str, quote: str | None) -> str | None:
    """The triple quote still open after a line (a rough count: a wrong one only costs a piece that does not parse)."""
    i = 0
    while True:
        if quote is not None:
            j = line.find(quote, i)
            if j < 0:
                return quote
            quote, i = None, j + 3
            continue
        found = [(j, q) for q in ('"""', "'''") if (j := line.find(q, i)) >= 0]
        if not found:
            return None
        j, quote = min(found)
        i = j + 3
