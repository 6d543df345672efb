"""A module's outline: its text with every function body pruned away, so two versions whose outlines are equal
cannot differ in any signature, class or module-level name (instance attributes set in bodies are kept)."""

from __future__ import annotations

import functools
import re

from prune_source import prune_source

_SELF_ATTR = re.compile(r"\bself\.(\w+)\s*(?::[^=\n]+)?=(?!=)")


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
    return frozenset(_SELF_ATTR.findall(text))
