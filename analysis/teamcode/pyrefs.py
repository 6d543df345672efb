"""Where Python source refers to given upstream packages: imports (lazy and guarded ones too) and attribute uses.

Names the team's own modules bind to upstream objects (`consumer/__init__.py` doing `from pkg.core import run`) are
followed when another file imports them (`from consumer import run`): a `Local` lookup gives a team module's exports.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from dataclasses import dataclass, field

FLAG = re.compile(r"(?<![\w-])--[A-Za-z][A-Za-z0-9_.-]*[A-Za-z0-9]")
ENV = re.compile(r"(?<![\w$])[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+(?![\w])")

Span = tuple[int, int, frozenset[str]]  # a top-level statement's first and last line, and the names it spells
Note = Callable[[str, int], None]  # records a dotted path (or a flag/variable) at a line
# a team module's upstream names (name -> dotted path), else None
Local = Callable[[str], "dict[str, str] | None"]


@dataclass
class ModuleNames:
    """What one team file binds at module level: upstream names, names imported from other modules, modules it reads."""

    exports: dict[str, str] = field(default_factory=dict)  # name -> upstream dotted path
    # (module, name, bound as) of the module-level `from` imports
    imports: list[tuple[str, str, str]] = field(default_factory=list)
    imported: set[str] = field(default_factory=set)  # modules (and module.name) imported anywhere in the file
    # per top-level statement (first line, last line), every attribute, function, class and plain name it spells:
    # the members it may use of an upstream object it holds (`k.run(...)`, `def run(self)` in a subclass)
    spans: list[Span] = field(default_factory=list)


class _Refs(ast.NodeVisitor):
    """Visits a module in source order, binding imported names to dotted paths and noting each use."""

    def __init__(
        self, packages: frozenset[str], ref: Note, flag: Note, env: Note, module: str, local: Local | None
    ):
        self.packages = packages
        self.ref, self.flag, self.env = ref, flag, env
        self.module, self.local = module, local or (lambda _m: None)
        self.bound: dict[str, str] = {}
        self.teams: dict[str, dict[str, str]] = {}  # names bound to team modules -> their upstream names
        self.depth = 0  # inside a function or class body when > 0
        self.names = ModuleNames()
        self.words: set[str] = set()  # names spelled by the top-level statement being visited
        self.stars: list[int] = []  # lines of star imports from upstream packages

    def visit_Module(self, node: ast.Module) -> None:
        for stmt in node.body:
            self.words = set()
            self.visit(stmt)
            if self.words:
                self.names.spans.append((stmt.lineno, stmt.end_lineno or stmt.lineno, frozenset(self.words)))
        if self.stars:  # a star import's names are used anywhere in the file
            spelled = frozenset().union(*(words for _, _, words in self.names.spans))
            self.names.spans += [(line, line, spelled) for line in self.stars]

    def _ours(self, dotted: str | None) -> bool:
        return bool(dotted) and dotted.split(".", 1)[0] in self.packages

    def _bind(self, name: str, dotted: str) -> None:
        self.bound[name] = dotted
        self.teams.pop(name, None)
        if not self.depth:
            self.names.exports[name] = dotted

    def _scope(self, node: ast.AST) -> None:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            self.words.add(node.name)
        self.depth += 1
        self.generic_visit(node)
        self.depth -= 1

    visit_FunctionDef = visit_AsyncFunctionDef = visit_ClassDef = visit_Lambda = _scope

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self.names.imported.add(alias.name)
            team = self.local(alias.name)
            if team and (alias.asname or "." not in alias.name):
                self.teams[alias.asname or alias.name] = team
                continue
            if not self._ours(alias.name):
                continue
            self.ref(alias.name, node.lineno)
            if alias.asname:
                self._bind(alias.asname, alias.name)
            else:
                top = alias.name.split(".", 1)[0]
                self._bind(top, top)

    def _absolute(self, node: ast.ImportFrom) -> str | None:
        if not node.level:
            return node.module
        parts = self.module.split(".")[: -node.level] if self.module else []
        if not parts and not node.module:
            return None
        return ".".join([*parts, *([node.module] if node.module else [])])

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        module = self._absolute(node)
        if not module:
            return
        self.names.imported.add(module)
        self.names.imported.update(f"{module}.{a.name}" for a in node.names if a.name != "*")
        if not self.depth:
            self.names.imports += [(module, a.name, a.asname or a.name) for a in node.names if a.name != "*"]
        team = self.local(module)
        if team is not None or node.level or any(self.local(f"{module}.{a.name}") for a in node.names):
            self._team_names(module, team or {}, node)
            return
        if not self._ours(module):
            return
        for alias in node.names:
            if alias.name == "*":
                self.ref(module, node.lineno)
                self.stars.append(node.lineno)
                continue
            path = f"{module}.{alias.name}"
            self.ref(path, node.lineno)
            self._bind(alias.asname or alias.name, path)

    def _team_names(self, module: str, team: dict[str, str], node: ast.ImportFrom) -> None:
        for alias in node.names:
            if alias.name == "*":
                for name, dotted in team.items():
                    self.ref(dotted, node.lineno)
                    self._bind(name, dotted)
            elif alias.name in team:
                self.ref(team[alias.name], node.lineno)
                self._bind(alias.asname or alias.name, team[alias.name])
            elif sub := self.local(f"{module}.{alias.name}"):
                self.teams[alias.asname or alias.name] = sub

    def visit_Attribute(self, node: ast.Attribute) -> None:
        chain: list[str] = []
        base: ast.expr = node
        while isinstance(base, ast.Attribute):
            chain.append(base.attr)
            base = base.value
        self.words.update(chain)
        if isinstance(base, ast.Name) and base.id in self.bound:
            self.ref(".".join([self.bound[base.id], *reversed(chain)]), node.lineno)
            return
        if isinstance(base, ast.Name) and base.id in self.teams and chain[-1] in self.teams[base.id]:
            self.ref(".".join([self.teams[base.id][chain[-1]], *reversed(chain[:-1])]), node.lineno)
            return
        self.generic_visit(node)

    def visit_Name(self, node: ast.Name) -> None:
        self.words.add(node.id)
        if isinstance(node.ctx, ast.Load) and node.id in self.bound:
            self.ref(self.bound[node.id], node.lineno)

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
        if name in ("import_module", "__import__") and node.args:
            target = node.args[0]
            if (
                isinstance(target, ast.Constant)
                and isinstance(target.value, str)
                and self._ours(target.value)
            ):
                self.ref(target.value, node.lineno)
        self.generic_visit(node)

    def visit_Constant(self, node: ast.Constant) -> None:
        if isinstance(node.value, str) and len(node.value) < 10_000:
            for match in FLAG.findall(node.value):
                self.flag(match, node.lineno)
            for match in ENV.findall(node.value):
                self.env(match, node.lineno)


def python_refs(
    text: str,
    packages: frozenset[str],
    ref: Note,
    flag: Note,
    env: Note,
    *,
    module: str = "",
    local: Local | None = None,
) -> ModuleNames:
    """Note every reference to `packages` in Python `text` (the team module `module`; `local` gives other team
    modules' upstream names), and flags and variable names in its strings; return what the module binds.

    Raises SyntaxError (and ValueError, RecursionError) on text Python cannot parse.
    """
    visitor = _Refs(packages, ref, flag, env, module, local)
    visitor.visit(ast.parse(text))
    return visitor.names


def text_refs(text: str, flag: Note, env: Note) -> None:
    """Note the flags (`--x`) and environment variable names (`FOO_BAR`) in a script or config, line by line."""
    for number, line in enumerate(text.splitlines(), start=1):
        if len(line) > 10_000:
            continue
        for match in FLAG.findall(line):
            flag(match, number)
        for match in ENV.findall(line):
            env(match, number)
