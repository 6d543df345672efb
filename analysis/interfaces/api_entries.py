"""The entries of some top-level Python statements: each name they bind (module- and class-level, qualified) with
the text of every statement binding it, the classes among them and the `def` behind each function header."""

from __future__ import annotations

import ast
import functools
from collections.abc import Iterator

_COMPOUND = (ast.If, ast.Try, ast.For, ast.AsyncFor, ast.While, ast.With, ast.AsyncWith, ast.Match)
if hasattr(ast, "TryStar"):
    _COMPOUND = (*_COMPOUND, ast.TryStar)

Entries = dict[str, list[str]]  # qualified name -> text of each statement binding it, in order
Defs = dict[
    str, "tuple[ast.FunctionDef | ast.AsyncFunctionDef, SourceText]"
]  # header text -> its `def`, read lazily


@functools.lru_cache(maxsize=8192)
def statements(source: str) -> tuple[Entries, frozenset[str], Defs] | None:
    """The entries, classes and `def`s of some top-level statements; None if they do not parse."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError):
        return None
    data = source.encode("utf-8")
    starts = [0]
    for line in data.split(b"\n"):
        starts.append(starts[-1] + len(line) + 1)
    entries: Entries = {}
    classes: set[str] = set()
    signatures: Defs = {}
    _scope(tree.body, "", entries, classes, SourceText(data, starts, signatures))
    return entries, frozenset(classes), signatures


class SourceText:
    """Source slices of AST nodes (their offsets are UTF-8 bytes)."""

    def __init__(self, data: bytes, starts: list[int], signatures: Defs) -> None:
        self.data, self.starts = data, starts
        self.signatures = signatures  # header text -> its `def`

    def span(self, first: ast.AST, last: ast.AST | None = None) -> str:
        last = last or first
        start = self.starts[first.lineno - 1] + first.col_offset  # type: ignore[attr-defined]
        end = self.starts[last.end_lineno - 1] + last.end_col_offset  # type: ignore[attr-defined]
        return self.data[start:end].decode("utf-8", "replace")

    def until(self, node: ast.AST, stop: ast.AST) -> str:
        """From `node` up to where `stop` begins (a def's or class's header, without its body)."""
        start = self.starts[node.lineno - 1] + node.col_offset  # type: ignore[attr-defined]
        end = self.starts[stop.lineno - 1] + stop.col_offset  # type: ignore[attr-defined]
        return self.data[start:end].decode("utf-8", "replace").rstrip()  # a pruned body leaves blank lines


def _scope(
    body: list[ast.stmt], prefix: str, out: Entries, classes: set[str], text: SourceText, values: bool = False
) -> None:
    """Add the entries of a module's or class's body; `values` keeps attribute values (a decorated class's fields)."""
    for node in body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            decorators = [text.span(d) for d in node.decorator_list]
            header = "@" + "\n@".join(decorators) + "\n" + text.until(node, node.body[0])
            out.setdefault(prefix + node.name, []).append(header)
            if not isinstance(node, ast.ClassDef):
                text.signatures[header] = (node, text)
            else:
                classes.add(prefix + node.name)
                _scope(node.body, f"{prefix}{node.name}.", out, classes, text, bool(node.decorator_list))
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for name, alias in _imported(node):
                out.setdefault(prefix + name, []).append(alias)
        elif isinstance(node, ast.Expr):
            if any(isinstance(n, ast.Name) and n.id == "__all__" for n in ast.walk(node)):
                out.setdefault(prefix + "__all__", []).append(text.span(node))
        elif isinstance(node, (ast.Assign, ast.AnnAssign)) and _plain(node) and not values:
            # griffe reports no change of an attribute's value: only that it is still an attribute
            note = "=" if isinstance(node, ast.Assign) else "=: " + text.span(node.annotation)
            for name in _plain_names(node, text):
                out.setdefault(prefix + name, []).append(note)
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign, ast.Delete, *_COMPOUND)):
            whole = text.span(node)
            for name in sorted(set(_bound(node))):
                out.setdefault(prefix + name, []).append(whole)
        elif type(node).__name__ == "TypeAlias":
            out.setdefault(prefix + node.name.id, []).append(text.span(node))  # type: ignore[attr-defined]


def _plain(node: ast.Assign | ast.AnnAssign) -> bool:
    """An assignment to plain names only, none of them `__all__`."""
    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
    return all(isinstance(t, ast.Name) and t.id != "__all__" for t in targets)


def _plain_names(node: ast.Assign | ast.AnnAssign, text: SourceText) -> Iterator[str]:
    """The names a plain assignment binds: its targets, and any `:=` inside (walked only when the text has one)."""
    if ":=" in text.span(node):
        yield from _bound(node)
        return
    for target in node.targets if isinstance(node, ast.Assign) else [node.target]:
        yield target.id  # type: ignore[attr-defined]


def _imported(node: ast.Import | ast.ImportFrom) -> Iterator[tuple[str, str]]:
    source = f"{'.' * node.level}{node.module or ''}" if isinstance(node, ast.ImportFrom) else ""
    for alias in node.names:
        if alias.name == "*":
            yield "*", f"{source}:*"
        else:
            yield (alias.asname or alias.name.split(".")[0]), f"{source}:{alias.name} as {alias.asname}"


def _bound(node: ast.AST) -> Iterator[str]:
    """Every name a statement binds, deletes or assigns through (`a.b = 1` counts for `a`), `*` for star imports."""
    for child in ast.walk(node):
        if isinstance(child, ast.Name) and not isinstance(child.ctx, ast.Load):
            yield child.id
        elif isinstance(child, (ast.Attribute, ast.Subscript)) and not isinstance(child.ctx, ast.Load):
            root = child.value
            while isinstance(root, (ast.Attribute, ast.Subscript)):
                root = root.value
            if isinstance(root, ast.Name):
                yield root.id
        elif isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            yield child.name
        elif isinstance(child, (ast.Import, ast.ImportFrom)):
            yield from (name for name, _ in _imported(child))
        elif isinstance(child, ast.ExceptHandler) and child.name:
            yield child.name
        elif isinstance(child, ast.Name) and child.id == "__all__":
            yield "__all__"
        elif type(child).__name__ in ("MatchAs", "MatchStar") and getattr(child, "name", None):
            yield child.name  # type: ignore[attr-defined]
