"""What an upstream commit changes in its public interface: Python API, command-line flags, environment variables.

Deterministic (no model). `InterfaceChange.object` is a dotted path for Python objects (`pkg.mod.Class.method`),
the option string for flags (`--tp-size`) and the variable name for environment variables (`FOO_BAR`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

KINDS = (
    "removed",  # a public module-level object or module is gone
    "moved",  # gone from one module, present under the same name in another
    "member_removed",  # a public member of a class is gone
    "kind_changed",  # e.g. a function became a class or an attribute
    "param_removed",
    "param_added_required",
    "param_now_required",  # an optional parameter lost its default
    "param_moved",
    "param_kind_changed",  # e.g. positional became keyword-only
    "param_default_changed",
    "return_changed",
    "base_removed",
    "flag_removed",
    "flag_renamed",
    "env_removed",
)

TEXT_CHARS = 40  # the longest piece of upstream code quoted in a change's text


@dataclass(frozen=True)
class InterfaceChange:
    """One interface change: the object it concerns, its kind (one of KINDS) and one short line saying it."""

    object: str
    kind: str
    text: str
    aliases: tuple[str, ...] = ()  # other public paths of the same object (re-exports through `__init__`)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {"object": self.object, "kind": self.kind, "text": self.text, "aliases": list(self.aliases)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> InterfaceChange:
        """The change a `to_dict` result describes."""
        return cls(
            str(data["object"]), str(data["kind"]), str(data["text"]), tuple(data.get("aliases") or ())
        )


@dataclass
class InterfaceReport:
    """The interface changes of one commit, and what was left out: skipped, unparseable and timed-out files."""

    changes: list[InterfaceChange] = field(default_factory=list)
    skipped_files: list[str] = field(default_factory=list)  # over the size bound
    unparsed: list[str] = field(default_factory=list)  # Python files that could not be parsed
    timed_out: list[str] = field(default_factory=list)  # files not looked at because the time bound passed

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "changes": [c.to_dict() for c in self.changes],
            "skipped_files": list(self.skipped_files),
            "unparsed": list(self.unparsed),
            "timed_out": list(self.timed_out),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> InterfaceReport:
        """The report a `to_dict` result describes."""
        return cls(
            [InterfaceChange.from_dict(c) for c in data.get("changes") or []],
            list(data.get("skipped_files") or []),
            list(data.get("unparsed") or []),
            list(data.get("timed_out") or []),
        )

    def extend(self, other: InterfaceReport) -> None:
        """Add another report's changes and left-out files to this one (changes kept unique)."""
        seen = set(self.changes)
        for change in other.changes:
            if change not in seen:
                seen.add(change)
                self.changes.append(change)
        self.skipped_files.extend(p for p in other.skipped_files if p not in self.skipped_files)
        self.unparsed.extend(p for p in other.unparsed if p not in self.unparsed)
        self.timed_out.extend(p for p in other.timed_out if p not in self.timed_out)

    def within_bounds(
        self, sides: Iterable[Side], deadline: float, max_bytes: int, clock: Callable[[], float]
    ) -> Iterator[Side]:
        """The files worth reading, in order; past `deadline` one is noted as timed out, over `max_bytes` as skipped."""
        for path, old, new in sides:
            if clock() > deadline:
                self.timed_out.append(path)
            elif max(len(old or ""), len(new or "")) > max_bytes:
                self.skipped_files.append(path)
            else:
                yield path, old, new


Side = tuple[
    str, str | None, str | None
]  # a changed file: its path, its text before and after (None: absent)


def quote(text: object, limit: int = TEXT_CHARS) -> str:
    """Upstream code shown inside backticks in a change's text: one line, no backticks, at most `limit` chars."""
    s = re.sub(r"\s+", " ", str(text)).strip().replace("`", "'")
    s = "".join(ch for ch in s if ch.isprintable())
    return s if len(s) <= limit else s[: limit - 1] + "…"
