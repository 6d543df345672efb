"""All interface changes of one commit: public Python API, command-line flags and environment variables."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping

from analysis.interfaces import InterfaceReport
from analysis.interfaces.flags_env import flag_env_changes
from analysis.interfaces.packages import find_packages
from analysis.interfaces.python_api import FILE_BYTES, SECONDS, api_changes
from analysis.interfaces.reexports import Reader


def commit_interface_changes(
    changed: Mapping[str, tuple[str | None, str | None]],
    repo_paths: Iterable[str],
    read: Reader | None = None,
    old_rev: str = "",
    new_rev: str = "",
    *,
    override: Iterable[str] | None = None,
    seconds: float = SECONDS,
    max_bytes: int = FILE_BYTES,
    clock: Callable[[], float] = time.monotonic,
) -> InterfaceReport:
    """The interface changes of a commit's changed files `{path: (old_text, new_text)}` (None: absent on that side).

    `repo_paths` lists the repository's files (to find its packages, or `override` names them);
    `read(path, rev)` gives other files' text for re-exports. A repository without Python gives an empty report.
    """
    python = {p: t for p, t in changed.items() if p.endswith((".py", ".pyi"))}
    if not python:
        return InterfaceReport()
    packages = find_packages(repo_paths, override)
    start = clock()
    report = api_changes(
        python, packages, read, old_rev, new_rev, seconds=seconds, max_bytes=max_bytes, clock=clock
    )
    left = max(seconds - (clock() - start), 0.0)
    report.extend(flag_env_changes(python, max_bytes=max_bytes, seconds=left, clock=clock))
    return report
