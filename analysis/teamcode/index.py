"""An index of where the team's own code refers to upstream packages, command-line flags and environment variables.

Bounded by files, bytes and seconds; what the bound left out is said in the index. Serialisable to JSON for caching.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from analysis.teamcode.pyrefs import Local, ModuleNames, Span, python_refs, text_refs
from analysis.teamcode.teammods import TeamModules, module_name

Place = tuple[str, int]  # file path relative to the indexed directory, 1-based line

MAX_FILES = 20_000
MAX_BYTES = 200_000_000
SECONDS = 60.0
FILE_BYTES = 2_000_000  # a single file larger than this is skipped
MAX_PLACES = 20  # places kept per reference
SKIP_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        ".venv",
        "venv",
        "env",
        "node_modules",
        "__pycache__",
        ".tox",
        ".nox",
        ".mypy_cache",
    }
    | {".ruff_cache", ".pytest_cache", "site-packages", "dist", "build", ".eggs"}
)
FORMAT = 2  # the stored form; an index stored in another form is rebuilt
CONFIG_SUFFIXES = (".sh", ".bash", ".yaml", ".yml", ".toml", ".json", ".env", ".dockerfile")


@dataclass
class TeamIndex:
    """References of the team's code: per upstream package dotted paths, and flags and variable names, with places."""

    refs: dict[str, dict[str, list[Place]]] = field(default_factory=dict)  # package -> dotted path -> places
    flags: dict[str, list[Place]] = field(default_factory=dict)
    env: dict[str, list[Place]] = field(default_factory=dict)
    # per file that refers upstream: its top-level statements' lines and the names they spell
    spans: dict[str, list[Span]] = field(default_factory=dict)
    files: int = 0
    bytes: int = 0
    seconds: float = 0.0
    stopped: str = ""  # "" when complete, else the bound that stopped the walk: files, bytes or seconds
    skipped: list[str] = field(default_factory=list)  # files too large or not parseable

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        places = lambda table: {k: [list(p) for p in v] for k, v in table.items()}  # noqa: E731
        return {
            "format": FORMAT,
            "refs": {pkg: places(table) for pkg, table in self.refs.items()},
            "flags": places(self.flags),
            "env": places(self.env),
            "spans": {f: [[a, b, sorted(w)] for a, b, w in s] for f, s in self.spans.items()},
            "files": self.files,
            "bytes": self.bytes,
            "seconds": round(self.seconds, 3),
            "stopped": self.stopped,
            "skipped": list(self.skipped),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TeamIndex:
        """The index a `to_dict` result describes; ValueError for one stored in another form."""
        if data.get("format") != FORMAT:
            raise ValueError(f"team index format {data.get('format')!r}, not {FORMAT}")
        places = lambda table: {str(k): [(str(f), int(n)) for f, n in v] for k, v in (table or {}).items()}  # noqa: E731
        return cls(
            refs={str(pkg): places(table) for pkg, table in (data.get("refs") or {}).items()},
            flags=places(data.get("flags")),
            env=places(data.get("env")),
            spans={
                str(f): [(int(a), int(b), frozenset(map(str, w))) for a, b, w in s]
                for f, s in (data.get("spans") or {}).items()
            },
            files=int(data.get("files") or 0),
            bytes=int(data.get("bytes") or 0),
            seconds=float(data.get("seconds") or 0.0),
            stopped=str(data.get("stopped") or ""),
            skipped=[str(s) for s in data.get("skipped") or []],
        )


def is_config(name: str) -> bool:
    """Whether a file name is a script or config the index reads for flags and variables."""
    lower = name.lower()
    return (
        lower.endswith(CONFIG_SUFFIXES)
        or lower.startswith(("dockerfile", ".env"))
        or lower == "containerfile"
    )


def _walk(root: Path) -> Iterable[Path]:
    for here, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not d.endswith(".egg-info"))
        for name in sorted(files):
            if name.endswith(".py") or is_config(name):
                yield Path(here) / name


class _Every(frozenset[str]):
    """Every top-level package: an index for whatever upstream the team's code imports."""

    def __contains__(self, item: object) -> bool:
        return isinstance(item, str)


def build_index(
    root: Path | str,
    packages: Iterable[str] | None,
    *,
    max_files: int = MAX_FILES,
    max_bytes: int = MAX_BYTES,
    seconds: float = SECONDS,
    clock: Callable[[], float] = time.monotonic,
) -> TeamIndex:
    """Walk `root` and index where its code refers to the upstream `packages` (top-level import names; None: all).

    Upstream names the team's own modules re-export are followed into the files that import them from there.
    """
    root = Path(root)
    wanted = _Every() if packages is None else frozenset(packages)
    index = TeamIndex(refs={p: {} for p in sorted(wanted)})
    modules = TeamModules()
    start = clock()
    for path in _walk(root):
        if index.files >= max_files:
            index.stopped = "files"
            break
        if clock() - start > seconds:
            index.stopped = "seconds"
            break
        rel = path.relative_to(root).as_posix()
        try:
            size = path.stat().st_size
        except OSError:
            continue
        if size > FILE_BYTES:
            index.skipped.append(rel)
            continue
        if index.bytes + size > max_bytes:
            index.stopped = "bytes"
            break
        index.files += 1
        index.bytes += size
        text = path.read_bytes().decode("utf-8", errors="replace")
        names = _index_file(index, rel, text, wanted)
        if names is not None:
            modules.add(rel, names)
    _follow_team_modules(index, root, wanted, modules, lambda: clock() - start > seconds)
    if packages is None:
        for top in modules.tops:  # the team's own packages are not upstream ones
            index.refs.pop(top, None)
    index.seconds = clock() - start
    return index


def _follow_team_modules(
    index: TeamIndex, root: Path, wanted: frozenset[str], modules: TeamModules, late: Callable[[], bool]
) -> None:
    """Index again the files that import upstream names through the team's own modules."""
    modules.resolve()
    for module, names in modules.names.items():
        if not modules.follow(names):
            continue
        if late():
            index.stopped = index.stopped or "seconds"
            return
        rel = modules.files[module]
        try:
            text = (root / rel).read_bytes().decode("utf-8", errors="replace")
        except OSError:
            continue
        _index_file(index, rel, text, wanted, modules.lookup)


def _index_file(
    index: TeamIndex, rel: str, text: str, packages: frozenset[str], local: Local | None = None
) -> ModuleNames | None:
    def note(table: dict[str, list[Place]]) -> Callable[[str, int], None]:
        def add(key: str, line: int) -> None:
            places = table.setdefault(key, [])
            if len(places) < MAX_PLACES and (rel, line) not in places:
                places.append((rel, line))

        return add

    referred = False

    def ref(dotted: str, line: int) -> None:
        nonlocal referred
        referred = True
        note(index.refs.setdefault(dotted.split(".", 1)[0], {}))(dotted, line)

    if not rel.endswith(".py"):
        text_refs(text, note(index.flags), note(index.env))
        return None
    try:
        names = python_refs(
            text, packages, ref, note(index.flags), note(index.env), module=module_name(rel), local=local
        )
        if referred:
            index.spans[rel] = names.spans
        return names
    except (SyntaxError, ValueError, RecursionError):
        if rel not in index.skipped:
            index.skipped.append(rel)
        return None
