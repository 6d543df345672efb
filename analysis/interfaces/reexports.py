"""Public paths under which a package's `__init__` files re-export objects (`from .core import func` -> `pkg.func`)."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from pathlib import Path

import griffe

from analysis.interfaces.packages import Package, is_private, path_of

Reader = Callable[[str, str], "str | None"]
MAX_ALIASES = 8  # public paths kept per object
INIT_BYTES = 2_000_000  # an `__init__.py` larger than this is not read for re-exports


class ReExports:
    """Re-exports found in the `__init__` files of some packages at one revision."""

    def __init__(self) -> None:
        self.targets: dict[str, list[str]] = {}  # target path -> alias paths
        self.stars: dict[str, list[str]] = {}  # module -> packages that `from module import *`
        self.exported: set[str] = set()  # every alias path (name present in some `__init__`)
        self.loaded: set[str] = set()

    def load(self, module: str, text: str | None) -> None:
        """Read one package's `__init__` text (None: the package has none at this revision)."""
        if module in self.loaded:
            return
        self.loaded.add(module)
        if not text or len(text) > INIT_BYTES:
            return
        for name, target in _init_aliases(module, text):
            if name.endswith("/*"):
                self.stars.setdefault(target, []).append(module)
            elif not name.startswith("_"):
                self.targets.setdefault(target, []).append(f"{module}.{name}")
                self.exported.add(f"{module}.{name}")

    def aliases(self, path: str) -> list[str]:
        """Other paths of the object at `path` through re-exports (transitively), nearest first."""
        out: list[str] = []
        todo = [path]
        while todo and len(out) < MAX_ALIASES:
            current = todo.pop(0)
            for alias in self._direct(current):
                if alias != path and alias not in out:
                    out.append(alias)
                    todo.append(alias)
        return out[:MAX_ALIASES]

    def _direct(self, path: str) -> Iterable[str]:
        parts = path.split(".")
        for cut in range(len(parts), 0, -1):
            head, tail = ".".join(parts[:cut]), parts[cut:]
            for alias in self.targets.get(head, []):
                yield ".".join([alias, *tail])
            if cut < len(parts) and not parts[cut].startswith("_"):
                for pkg in self.stars.get(head, []):
                    yield ".".join([pkg, *tail])


@functools.lru_cache(maxsize=256)
def _init_aliases(module: str, text: str) -> tuple[tuple[str, str], ...]:
    """The (name, target path) of each import in an `__init__` text, kept per text across commits."""
    try:
        init = griffe.visit(module, Path(module.replace(".", "/") + "/__init__.py"), text)
    except Exception:  # noqa: BLE001 - an unparseable `__init__` just gives no re-exports
        return ()
    return tuple((name, str(m.target_path)) for name, m in init.members.items() if m.is_alias)


def ancestors(module: str) -> list[str]:
    """The packages holding a module, outermost first, the module itself included (`a.b.c` -> a, a.b, a.b.c)."""
    parts = module.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts) + 1)]


def load_reexports(
    modules: Iterable[str],
    packages: list[Package],
    rev: str,
    given: dict[str, str | None],
    read: Reader | None,
) -> ReExports:
    """The re-exports of every package holding one of `modules`, at `rev`; `given` texts win over `read`."""
    found = ReExports()
    for module in modules:
        for pkg in ancestors(module):
            if pkg in found.loaded:
                continue
            path = path_of(pkg, packages, package=True)
            if path is None:
                continue
            if path in given:
                text = given[path]
            else:
                try:
                    text = read(path, rev) if read else None
                except Exception:  # noqa: BLE001 - an unreadable file gives no re-exports
                    text = None
            found.load(pkg, text)
    return found


def public_names(paths: Iterable[str]) -> list[str]:
    """The paths with no private part, in order."""
    return [p for p in paths if not is_private(p)]
