"""A repository's importable Python packages, found from its file list, and the module path of a file."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

# Top-level directories that hold an `__init__.py` but are not a library someone imports.
NOT_LIBRARIES = frozenset(
    {"tests", "test", "testing", "docs", "doc", "examples", "example", "benchmarks", "benchmark", "scripts"}
    | {"tools", "ci", "build", "dist", "setup", "conftest", "3rdparty", "third_party"}
)
ROOTS = ("", "src/", "python/")  # where packages are looked for, in this order


@dataclass(frozen=True)
class Package:
    """An importable package: its import name and the directory holding it (`""`, `"src/"`, `"python/"`...)."""

    name: str
    root: str

    @property
    def prefix(self) -> str:
        """The path prefix of the package's files, e.g. `src/pkg/`."""
        return f"{self.root}{self.name}/"


def find_packages(paths: Iterable[str], override: Iterable[str] | None = None) -> list[Package]:
    """The importable packages among a repository's file paths (top-level, `src/` or `python/` with `__init__.py`).

    `override`, when given, replaces the search: each entry is a package name (`pkg`) or its directory (`python/pkg`).
    """
    inits = {p[: -len("/__init__.py")] for p in paths if p.endswith("/__init__.py")}
    if override is not None:
        return _overridden(inits, override)
    found: dict[str, Package] = {}
    for root in ROOTS:
        for d in sorted(inits):
            if not d.startswith(root):
                continue
            name = d[len(root) :]
            if "/" in name or not name.isidentifier() or name in NOT_LIBRARIES or name in found:
                continue
            found[name] = Package(name, root)
    return sorted(found.values(), key=lambda p: p.name)


def _overridden(inits: set[str], override: Iterable[str]) -> list[Package]:
    out: list[Package] = []
    for entry in override:
        entry = entry.strip().strip("/")
        if not entry:
            continue
        if "/" in entry:
            root, _, name = entry.rpartition("/")
            out.append(Package(name, root + "/"))
            continue
        roots = [r for r in ROOTS if f"{r}{entry}" in inits]
        out.append(Package(entry, roots[0] if roots else ""))
    return out


def module_of(path: str, packages: Iterable[Package]) -> str | None:
    """The dotted module a `.py`/`.pyi` file defines (`src/pkg/a/b.py` -> `pkg.a.b`), or None outside the packages."""
    if not path.endswith((".py", ".pyi")):
        return None
    for pkg in packages:
        if not path.startswith(pkg.prefix):
            continue
        rest = path[len(pkg.root) :].rsplit(".", 1)[0].split("/")
        if rest[-1] == "__init__":
            rest = rest[:-1]
        if all(part.isidentifier() for part in rest):
            return ".".join(rest)
    return None


def path_of(module: str, packages: Iterable[Package], *, package: bool) -> str | None:
    """The file path of a dotted module (its `__init__.py` when `package`), or None if no package holds it."""
    top = module.split(".", 1)[0]
    for pkg in packages:
        if pkg.name == top:
            base = pkg.root + module.replace(".", "/")
            return base + "/__init__.py" if package else base + ".py"
    return None


def is_private(dotted: str) -> bool:
    """Whether any part of a dotted path is private: starts with `_`, except special methods such as
    `__init__` or `__call__`, which callers use (module data such as `__all__` or `__version__` stays private)."""
    return any(part.startswith("_") and not _public_dunder(part) for part in dotted.split("."))


_DUNDER_DATA = {"__all__", "__version__", "__author__", "__doc__", "__slots__", "__main__", "__path__"}
_DUNDER_DATA |= {"__file__", "__name__", "__module__", "__qualname__", "__dict__", "__annotations__"}
_DUNDER_DATA |= {"__match_args__", "__dataclass_fields__", "__dataclass_params__", "__hash__"}


def _public_dunder(part: str) -> bool:
    return len(part) > 4 and part.startswith("__") and part.endswith("__") and part not in _DUNDER_DATA
