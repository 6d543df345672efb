"""The team's own Python modules: the upstream names each binds at module level, followed through re-exports
between them (`consumer/__init__.py` re-exporting what `consumer/_compat.py` imports from upstream)."""

from __future__ import annotations

from analysis.teamcode.pyrefs import ModuleNames

ROUNDS = 10  # re-export chains followed at most this deep


def module_name(rel: str) -> str:
    """The dotted module name of a Python file path relative to the indexed directory."""
    return rel.removesuffix(".py").replace("/", ".").removesuffix(".__init__")


class TeamModules:
    """Every indexed team module's bindings, and a lookup of a module's upstream names by its import name."""

    def __init__(self) -> None:
        self.names: dict[str, ModuleNames] = {}
        self.files: dict[str, str] = {}  # module -> file path
        self.tops: set[str] = set()  # import names of root-level packages and modules
        self._suffix: dict[str, str | None] = {}

    def add(self, rel: str, names: ModuleNames) -> None:
        """Record one file's bindings."""
        module = module_name(rel)
        self.names[module], self.files[module] = names, rel
        if "/" not in rel or rel.count("/") == 1 and rel.endswith("/__init__.py"):
            self.tops.add(module.split(".", 1)[0])

    def resolve(self) -> None:
        """Follow names one team module imports from another, so each module's exports hold the upstream paths."""
        for _ in range(ROUNDS):
            self._suffix = {}
            changed = False
            for names in self.names.values():
                for source, name, bound in names.imports:
                    target = (self.lookup(source) or {}).get(name)
                    if target and names.exports.get(bound) != target:
                        names.exports[bound] = target
                        changed = True
            if not changed:
                break
        self._suffix = {}

    def _index(self) -> dict[str, str | None]:
        if not self._suffix:
            for module, names in self.names.items():
                if not names.exports:
                    continue
                parts = module.split(".")
                for i in range(len(parts)):
                    key = ".".join(parts[i:])
                    self._suffix[key] = None if self._suffix.get(key, module) != module else module
            self._suffix.setdefault("", None)
        return self._suffix

    def lookup(self, module: str) -> dict[str, str] | None:
        """The upstream names a team module binds (by its dotted path or a unique tail of it), else None."""
        found = self._index().get(module)
        return self.names[found].exports if found else None

    def follow(self, names: ModuleNames) -> bool:
        """Whether a file imports a team module that binds upstream names."""
        return any(self.lookup(m) for m in names.imported)
