"""The pipeline step that computes each commit's interface changes once, stores them, and reads them back."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable
from typing import TypeVar

import sqlite_utils

from analysis.errors import RateLimited, SourceError
from analysis.interfaces import InterfaceReport
from analysis.interfaces.api_shape import may_break, may_differ
from analysis.interfaces.commit import commit_interface_changes
from analysis.interfaces.flags_env import may_declare, may_drop
from analysis.interfaces.packages import ROOTS, Package, find_packages, module_of, path_of
from analysis.interfaces.reexports import ancestors
from analysis.models import Commit
from analysis.sources import Source
from analysis.sources.github_files import FileTooLarge
from analysis.store import interface_reports as report_store

COMMIT_SECONDS = 20.0  # time bound for one commit's reading and comparing
RUN_SECONDS = 240.0  # time bound for one repository run; commits past it are computed by a later run
READS_AT_ONCE = 8
PYTHON = (".py", ".pyi")
log = logging.getLogger(__name__)

Texts = dict[str, tuple[str | None, str | None]]


class InterfaceStep:
    """Interface reports of one repository run: from the store when computed before, else computed and stored."""

    def __init__(
        self,
        db: sqlite_utils.Database,
        source: Source,
        *,
        enabled: bool = True,
        commit_seconds: float = COMMIT_SECONDS,
        run_seconds: float = RUN_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.db = db
        self.source = source
        self.enabled = enabled
        self.commit_seconds = commit_seconds
        self.clock = clock
        self.deadline = clock() + run_seconds
        self.stored: dict[str, InterfaceReport] = {}
        self.computed = 0  # commits computed (not read from the store) in this run
        self._texts: dict[tuple[str, str], str | None] = {}  # (path, rev) -> text, shared across commits
        # one read of a file and one listing of the run, however many commits wait for them; no task of their
        # own, so a run that stops cancels them with the commits that wait (an orphan task in a git call can
        # outlive the event loop's shutdown)
        self._reading: dict[tuple[str, str], asyncio.Lock] = {}
        self._listing = asyncio.Lock()
        self._run_packages: list[Package] | None = None  # the packages as the run's first listing found them
        self.halted: Callable[[], bool] = lambda: False  # e.g. the source's rate limit stopped reading
        self._reads = asyncio.Semaphore(READS_AT_ONCE)
        self._engine = asyncio.Semaphore(1)  # the comparison is CPU work: one commit at a time

    def prepare(self, shas: list[str]) -> None:
        """Load the stored reports of the run's commits (one query)."""
        if self.enabled:
            self.stored = report_store.get_reports(self.db, self.source.repo, shas)

    def known(self, sha: str) -> InterfaceReport | None:
        """The stored report of a commit, without computing anything."""
        return self.stored.get(sha) if self.enabled else None

    async def report(self, commit: Commit) -> InterfaceReport | None:
        """The commit's interface report: stored, computed now (and stored), or None (turned off, unread, late)."""
        if not self.enabled:
            return None
        if commit.sha in self.stored:
            return self.stored[commit.sha]
        if not any(f.path.endswith(PYTHON) or (f.previous_path or "").endswith(PYTHON) for f in commit.files):
            return InterfaceReport()  # nothing Python: nothing to read, nothing to keep
        if self.clock() > self.deadline or self.halted():
            return None  # past the run's bound, or the source stopped answering: a later run computes it
        try:
            report = await self._compute(commit)
        except RateLimited:
            self.halted = lambda: True
            return None
        except SourceError as e:
            log.info("%s: interface changes of %s not computed: %s", self.source.repo, commit.short_sha, e)
            return None
        report_store.save_report(self.db, self.source.repo, commit.sha, report)
        self.stored[commit.sha] = report
        self.computed += 1
        return report

    async def _compute(self, commit: Commit) -> InterfaceReport:
        new_rev = commit.sha
        old_rev = commit.parents[0] if commit.parents else None
        packages = await self._packages(commit, old_rev)
        wanted = _changed_sides(commit, packages)
        if not wanted:
            return InterfaceReport()
        started = self.clock()
        report = InterfaceReport()
        changed: Texts = {}
        kept = [
            (path, old_path, new_rev if has_new else None)
            for path, (old_path, has_old, has_new) in wanted.items()
            if has_old
        ]
        await self._read_all(changed, report, kept, old_rev)
        if not await self._in_thread(_any_may_lose, list(changed.values())):
            return report  # only bodies changed, or only additions: nothing that existed broke
        # something old may be gone: added files may be where it moved to, or read it again
        added = [(path, path, new_rev) for path, (_, has_old, _) in wanted.items() if not has_old]
        await self._read_all(changed, report, added, None)
        changed = await self._in_thread(_interface_sides, changed)
        await self._prefetch_inits(changed, packages, old_rev, new_rev)
        left = max(self.commit_seconds - (self.clock() - started), 1.0)
        texts = dict(self._texts)

        def read(path: str, rev: str) -> str | None:
            text = texts.get((path, rev))
            return None if text is _TOO_LARGE else text

        async with self._engine:
            found = await asyncio.wait_for(
                asyncio.to_thread(
                    _one_at_a_time,
                    commit_interface_changes,
                    changed,
                    [],
                    read,
                    old_rev or "",
                    new_rev,
                    override=[f"{p.root}{p.name}" for p in packages],
                    seconds=left,
                ),
                left + 10.0,
            )
        report.extend(found)
        return report

    async def _in_thread(self, work: Callable[..., _T], *args: object) -> _T:
        """CPU work on big texts, in a thread so that the run's other commits are read meanwhile, one at a time."""
        async with self._engine:
            return await asyncio.to_thread(_one_at_a_time, work, *args)

    async def _packages(self, commit: Commit, old_rev: str | None) -> list[Package]:
        """The repository's packages: listed once per run, again for a commit that adds or removes a package."""
        reshapes = any(
            f.status in ("added", "removed", "renamed")
            and (_package_root(f.path) or _package_root(f.previous_path))
            for f in commit.files
        )
        if not reshapes:
            async with self._listing:
                if self._run_packages is None:
                    self._run_packages = await self._listed_packages([commit.sha])
            return self._run_packages
        return await self._listed_packages([commit.sha, *([old_rev] if old_rev else [])])

    async def _listed_packages(self, revs: list[str]) -> list[Package]:
        """The packages of the files at any of these revisions."""
        listings = await asyncio.gather(*(self.source.repo_paths(rev) for rev in revs))
        return find_packages(sorted({p for paths in listings for p in paths}))

    async def _read_all(
        self,
        changed: Texts,
        report: InterfaceReport,
        files: list[tuple[str, str, str | None]],
        old_rev: str | None,
    ) -> None:
        """Read the sides of these files (path, path at the old side, new revision) at once, then keep them in order."""
        await asyncio.gather(
            *(self._read(old_path, old_rev) for _, old_path, _ in files if old_rev),
            *(self._read(path, new_rev) for path, _, new_rev in files if new_rev),
        )
        for path, old_path, new_rev in files:
            await self._read_sides(changed, report, path, old_path, old_rev, new_rev)

    async def _read_sides(
        self,
        changed: Texts,
        report: InterfaceReport,
        path: str,
        old_path: str,
        old_rev: str | None,
        new_rev: str | None,
    ) -> None:
        """Read a changed file's two sides into `changed` (a renamed one as a removed and an added file)."""
        old = await self._read(old_path, old_rev) if old_rev else None
        new = await self._read(path, new_rev) if new_rev else None
        if old is _TOO_LARGE or new is _TOO_LARGE:
            report.skipped_files.append(path)
        elif old_path != path and old is not None:
            changed[old_path] = (old, None)
            changed[path] = (None, new)
        else:
            changed[path] = (old, new)

    async def _read(self, path: str, rev: str) -> str | None:
        key = (path, rev)
        if key not in self._texts:
            async with self._reading.setdefault(key, asyncio.Lock()):
                if key not in self._texts:
                    async with self._reads:
                        try:
                            self._texts[key] = await self.source.read_file(*key)
                        except FileTooLarge:
                            self._texts[key] = _TOO_LARGE
            self._reading.pop(key, None)
        return self._texts[key]

    async def _prefetch_inits(
        self, changed: Texts, packages: list[Package], old_rev: str | None, new_rev: str
    ) -> None:
        """Read the `__init__` files re-exports go through, at both revisions (kept for later commits)."""
        inits: set[str] = set()
        for path in changed:
            module = module_of(path, packages)
            for pkg in ancestors(module) if module else []:
                init = path_of(pkg, packages, package=True)
                if init and init not in changed:
                    inits.add(init)
        revs = [r for r in (old_rev, new_rev) if r]
        await asyncio.gather(*(self._read(p, r) for p in sorted(inits) for r in revs))


_TOO_LARGE = "\0too-large"  # marks a file the source would not read
_T = TypeVar("_T")
# Python 3.11's parser keeps its recursion depth in shared state: two threads parsing at once can fail
# ("AST constructor recursion depth mismatch"), so interface work runs in one thread at a time, also past a time bound.
_PARSING = threading.Lock()


def _one_at_a_time(work: Callable[..., _T], *args: object, **kwargs: object) -> _T:
    """Run CPU work that parses Python, never at the same time as other such work of the process."""
    with _PARSING:
        return work(*args, **kwargs)


def _may_lose(old: str | None, new: str | None) -> bool:
    """Whether a changed file can lose something of its interface (additions never break)."""
    return may_break(old, new) or may_drop(old, new)


def _any_may_lose(sides: list[tuple[str | None, str | None]]) -> bool:
    """Whether any of these changed files can lose something of its interface."""
    return any(_may_lose(old, new) for old, new in sides)


def _interface_sides(changed: Texts) -> Texts:
    """The changed files whose two sides can differ in an interface."""
    return {p: sides for p, sides in changed.items() if _may_change_interface(*sides)}


def _may_change_interface(old: str | None, new: str | None) -> bool:
    """Whether a changed file's two sides can differ in an interface: in a signature, a class or a module-level
    name, or in the flags it declares and the environment it reads."""
    return may_differ(old, new) or may_declare(old, new)


def _package_root(path: str | None) -> bool:
    """Whether a file can make or unmake a package: an `__init__.py` at the depth packages are found at
    (`pkg/`, `src/pkg/`, `python/pkg/`); one deeper only makes a subpackage of a package already there."""
    if not path or not path.endswith("/__init__.py"):
        return False
    parts = path.split("/")
    return len(parts) == 2 or (len(parts) == 3 and f"{parts[0]}/" in ROOTS)


def _changed_sides(commit: Commit, packages: list[Package]) -> dict[str, tuple[str, bool, bool]]:
    """Changed Python files inside the packages: path -> (path at the old side, has an old side, has a new side)."""
    out: dict[str, tuple[str, bool, bool]] = {}
    for f in commit.files:
        old_path = f.previous_path or f.path
        if not (f.path.endswith(PYTHON) or old_path.endswith(PYTHON)):
            continue
        if module_of(f.path, packages) is None and module_of(old_path, packages) is None:
            continue
        if f.status == "copied":  # its source stays where it was: the copy is a new file
            out[f.path] = (f.path, False, True)
        else:
            out[f.path] = (old_path, f.status != "added", f.status != "removed")
    return out
