"""A commit's computed interface changes as facts a card states: which to show, and how many were left out."""

from __future__ import annotations

from analysis.interfaces import KINDS, InterfaceChange, InterfaceReport, quote

SHOWN = 8  # changes listed on one card; the rest are counted
OBJECT_CHARS = 80  # the longest object path shown
NOT_BREAKING = frozenset({"param_default_changed"})  # changes callers may notice, but that do not break them
BREAKING = frozenset(KINDS) - NOT_BREAKING


def interface_items(report: InterfaceReport | None, limit: int = SHOWN) -> tuple[list[tuple[str, str]], int]:
    """(object, text) of the first `limit` changes, breaking ones first, and how many more there are.

    The object is one line without backticks; the text is the engine's line (upstream names quoted in backticks).
    """
    if report is None or not report.changes:
        return [], 0
    ordered = sorted(report.changes, key=lambda c: c.kind in NOT_BREAKING)
    items = [(quote(c.object, OBJECT_CHARS), quote(c.text, 200)) for c in ordered[:limit]]
    return items, max(len(ordered) - limit, 0)


def breaking_changes(report: InterfaceReport | None) -> list[InterfaceChange]:
    """The changes that break callers (everything but a changed default)."""
    return [c for c in report.changes if c.kind in BREAKING] if report is not None else []


def left_out(report: InterfaceReport | None) -> int:
    """Files the comparison did not cover: too large, unparseable or past the time bound."""
    if report is None:
        return 0
    return len(report.skipped_files) + len(report.unparsed) + len(report.timed_out)
