"""Whether a changed module can lose anything of its Python API, from the outlines of its two sides: a cheap check
that decides whether griffe has to compare them.

Additions never break, so a module whose every old entry (a signature, a class header, a module- or class-level
binding, an import, an instance attribute) is still there unchanged is left out, unless an addition can hide or
reshape an old entry: a second binding of an old name, a member that overrides one inherited, a field of a decorated
class (a dataclass's `__init__` is built from its fields), `__all__` or a star import.
"""

from __future__ import annotations

import ast
import collections
import functools
import re
from collections.abc import Sequence

from analysis.interfaces.api_entries import Defs, Entries, SourceText, statements
from analysis.interfaces.outline import outline, pruned, self_attributes, top_level
from analysis.interfaces.signatures import Signature, extends, signature_of

FILE_BYTES = 1_000_000  # a side larger than this is left to the engine's size bound
_SPECIAL = ("__all__", "*")  # entries that must not change at all, not even by being added
Shape = tuple[Entries, frozenset[str], frozenset[str], Defs]


def may_differ(old: str | None, new: str | None) -> bool:
    """False for the same blob on both sides, or a change only inside function bodies: no signature can differ."""
    return old != new and (old is None or new is None or outline(old) != outline(new))


def may_break(old: str | None, new: str | None, max_bytes: int = FILE_BYTES) -> bool:
    """Whether a changed module can lose or change something of its API; False when it only adds (or is added)."""
    if old is None:
        return False  # nothing old to lose
    if new is None or max(len(old), len(new)) > max_bytes:
        return True
    if not may_differ(old, new):
        return False
    kept = _kept_by_pieces(old, new)
    if kept is not None:
        return not kept
    before, after = _shape(old), _shape(new)
    if before is None or after is None:
        return True  # griffe says why it cannot read it
    return not _kept(before, after)


def _kept(before: Shape, after: Shape) -> bool:
    old, old_decorated, old_attrs, old_sigs = before
    new, _, new_attrs, new_sigs = after
    if any(not _same(old[k], new.get(k), old_sigs, new_sigs) for k in old):
        return False
    if any(new.get(k) != old.get(k) for k in _SPECIAL):
        return False
    if not old_attrs <= new_attrs:
        return False
    members = {k.rsplit(".", 1)[1] for k in old if "." in k} | old_attrs
    if (new_attrs - old_attrs) & ({k.rsplit(".", 1)[-1] for k in old}):
        return False  # a new instance attribute hides an old name
    for key in new.keys() - old.keys():
        owner, _, name = key.rpartition(".")
        if owner in old and (owner in old_decorated or name in members):
            return False  # a field of a decorated class, or a member that overrides or hides an old one
    return True


def _kept_by_pieces(old: str, new: str) -> bool | None:
    """`_kept` read from the top-level statements that differ between the two sides, the rest left unparsed; None
    when the statements both sides share could take part (they moved, or name a name the others bind)."""
    old_pieces, new_pieces = top_level(pruned(old)), top_level(pruned(new))
    shared = collections.Counter(old_pieces) & collections.Counter(new_pieces)
    old_shared, removed = _parted(old_pieces, shared)
    new_shared, added = _parted(new_pieces, shared)
    if old_shared != new_shared:
        return None  # shared statements in another order: which of two bindings wins may change
    before, after = _part_shape(removed), _part_shape(added)
    if before is None or after is None:
        return None
    old_attrs, new_attrs = _attributes(old), _attributes(new)
    if not _apart(old_shared, before[0], after[0], new_attrs - old_attrs):
        return None
    return _kept((*before[:2], old_attrs, before[2]), (*after[:2], new_attrs, after[2]))


def _apart(shared: list[str], before: Entries, after: Entries, new_attrs: frozenset[str]) -> bool:
    """Whether the shared statements bind none of the top-level names the changed ones bind, no member that a new one
    could override, and no name a new instance attribute could hide; only the shared statements naming one are read."""
    tops = {k.split(".", 1)[0] for k in (*before, *after)}
    members = {k.rsplit(".", 1)[1] for k in after.keys() - before.keys() if "." in k}
    names = tops | members | new_attrs
    if "*" in names:
        return False
    for piece in shared:
        if not _mentions(piece, names):
            continue
        found = _part_shape([piece])
        if found is None:
            return False
        keys = found[0]
        if any(k.split(".", 1)[0] in tops or k.rsplit(".", 1)[-1] in new_attrs for k in keys):
            return False
        if any(k.rsplit(".", 1)[1] in members for k in keys if "." in k):
            return False
    return True


def _parted(pieces: Sequence[str], shared: collections.Counter[str]) -> tuple[list[str], list[str]]:
    """The pieces the other side shares, and the others, each in order."""
    left = collections.Counter(shared)
    common: list[str] = []
    own: list[str] = []
    for piece in pieces:
        if left[piece] > 0:
            left[piece] -= 1
            common.append(piece)
        else:
            own.append(piece)
    return common, own


def _mentions(text: str, names: set[str]) -> bool:
    """Whether any of these names occurs in the text as a word."""
    present = [n for n in names if n in text]  # a plain search first: most names are not there at all
    return (
        bool(present) and re.search(r"\b(?:" + "|".join(map(re.escape, present)) + r")\b", text) is not None
    )


def _same(old: list[str], new: list[str] | None, old_sigs: Defs, new_sigs: Defs) -> bool:
    """Whether a name's bindings are unchanged, a function's signature at most extended by optional parameters."""
    if new is None or len(old) != len(new):
        return False
    for before, after in zip(old, new, strict=True):
        if before == after:
            continue
        if before not in old_sigs or after not in new_sigs:
            return False
        if not extends(_signature(*old_sigs[before]), _signature(*new_sigs[after])):
            return False
    return True


def _signature(node: ast.FunctionDef | ast.AsyncFunctionDef, text: SourceText) -> Signature:
    return signature_of(node, text.span)


@functools.lru_cache(maxsize=256)
def _shape(text: str) -> Shape | None:
    """The entries of a module's outline, its decorated classes, its instance attributes and the signatures of its
    functions (by header text); None if unparseable."""
    source = pruned(text)
    found = _part_shape(top_level(source))  # the other side's unchanged statements come cached
    if found is None:
        found = _part_shape([source])  # split where it should not be, or unparseable: read it whole
        if found is None:
            return None
    public, decorated, signatures = found
    return public, decorated, _attributes(text), signatures


def _part_shape(pieces: Sequence[str]) -> tuple[Entries, frozenset[str], Defs] | None:
    """The public entries, decorated classes and signatures of some top-level statements; None if one is unparseable."""
    parts = [statements(chunk) for chunk in pieces]
    if any(part is None for part in parts):
        return None
    entries: Entries = {}
    classes: set[str] = set()
    signatures: Defs = {}
    for part in parts:
        assert part is not None
        for key, found in part[0].items():
            entries.setdefault(key, []).extend(found)
        classes |= part[1]
        signatures.update(part[2])
    decorated = {k for k in classes if any(e.startswith("@") and not e.startswith("@\n") for e in entries[k])}
    public = {k: v for k, v in entries.items() if k in classes or not _private(k.rsplit(".", 1)[-1])}
    return public, frozenset(decorated), signatures


def _attributes(text: str) -> frozenset[str]:
    """The public instance attributes a module's methods set."""
    return frozenset(a for a in self_attributes(text) if not _private(a))


def _private(name: str) -> bool:
    """A name griffe never reports (nor the engine): private, not a special `__name__`."""
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))
