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
