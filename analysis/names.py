"""The names repositories are shown under: one per identity, told apart when two look alike."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import PurePosixPath

from analysis.models import RepoDigest

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def _suffix(path: str, n: int) -> str:
    return "/".join(PurePosixPath(path).parts[-n:])


def disambiguate(repos: list[RepoDigest]) -> None:
    """Give local clones that share a shown name the shortest distinct tail of their paths."""
    groups: dict[str, list[RepoDigest]] = defaultdict(list)
    for rd in repos:
        groups[rd.name].append(rd)
    for name, same in groups.items():
        paths = {rd.repo for rd in same}
        if len(paths) < 2 or not all(p.startswith("/") for p in paths):
            continue
        depth = max(len(PurePosixPath(p).parts) for p in paths)
        n = next(n for n in range(2, depth + 1) if len({_suffix(p, n) for p in paths}) == len(paths))
        for rd in same:
            tail = _suffix(rd.repo, n)
            rd.display = tail if name == PurePosixPath(rd.repo).name else f"{name} ({tail})"


def archive_parts(name: str) -> list[str]:
    """A shown name as safe folder names (owner/repo -> ["owner", "repo"])."""
    parts = [_UNSAFE.sub("-", p).strip(".-") for p in name.split("/")]
    return [p for p in parts if p] or ["repository"]
