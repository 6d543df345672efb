"""Where Python source refers to given upstream packages: imports (lazy and guarded ones too) and attribute uses."""

from __future__ import annotations

import ast
import re
from collections.abc import Callable

FLAG = re.compile(r"(?<![\w-])--[A-Za-z][A-Za-z0-9_.-]*[A-Za-z0-9]")
ENV = re.compile(r"(?<![\w$])[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+(?![\w])")

Note = Callable[[str, int], None]  # records a dotted path (or a flag/variable) at a line


class _Refs(ast.NodeVisitor):
    """Visits a module in source order, binding imported names to dotted paths and noting each use."""

    def __init__(self, packages: frozenset[str], ref: Note, flag: Note, env: Note):
        self.packages = packages
        self.ref, self.flag, self.env = ref, flag, env
        self.bound: dict[str, str] = {}

    def _ours(self, dotted: str | None) -> bool:
        return bool(dotted) and dotted.split(".", 1)[0] in self.packages

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            if not self._ours(alias.name):
                continue
            self.ref(alias.name, node.lineno)
            if alias.asname:
                self.bound[alias.asname] = alias.name
            else:
                top = alias.name.split(".", 1)[0]
                self.bound[top] = top

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.level or not self._ours(node.module):
            return
        for alias in node.names:
            if alias.name == "*":
                self.ref(node.module, node.lineno)
                continue
            path = f"{node.module}.{alias.name}"
            self.ref(path, node.lineno)
            self.bound[alias.asname or alias.name] = path

    def visit_Attribute(self, node: ast.Attribute) -> None:
        chain: list[str] = []
        base: ast.expr = node
        while isinstance(base, ast.Attribute):
            chain.append(base.attr)
            base = base.value
        if isinstance(base, ast.Name) and base.id in self.bound:
            self.ref(".".join([self.bound[base.id], *reversed(chain)]), node.lineno)
            return
        self.generic_visit(node)

    def visit_Name(self, node: ast.Name) -> None:
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


def python_refs(text: str, packages: frozenset[str], ref: Note, flag: Note, env: Note) -> None:
    """Note every reference to `packages` in Python `text`, and flags and variable names in its strings.

    Raises SyntaxError (and ValueError, RecursionError) on text Python cannot parse.
    """
    _Refs(packages, ref, flag, env).visit(ast.parse(text))


def text_refs(text: str, flag: Note, env: Note) -> None:
    """Note the flags (`--x`) and environment variable names (`FOO_BAR`) in a script or config, line by line."""
    for number, line in enumerate(text.splitlines(), start=1):
        if len(line) > 10_000:
            continue
        for match in FLAG.findall(line):
            flag(match, number)
        for match in ENV.findall(line):
            env(match, number)
