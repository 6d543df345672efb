"""A function's signature as plain text parts, and whether a new signature only extends an old one: every old
parameter kept with its name, kind, annotation and default, and every added one optional and placed after the old
positional ones. Such a change breaks no caller, and the engine reports nothing for it."""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass

# (kind, name, annotation text, default text); the kinds are those of griffe's parameters
Param = tuple[str, str, str | None, str | None]
_POSITIONAL = ("positional-only", "positional or keyword", "variadic positional")


@dataclass(frozen=True)
class Signature:
    """The parts of a `def` header the engine compares: all of it but its parameters must stay the same text."""

    head: str  # decorators, `async`, name, type parameters
    params: tuple[Param, ...]
    returns: str | None


def signature_of(node: ast.FunctionDef | ast.AsyncFunctionDef, span: Callable[[ast.AST], str]) -> Signature:
    """The signature of a `def`, its parts as source text (`span` gives a node's text)."""
    args = node.args

    def text(n: ast.AST | None) -> str | None:
        return None if n is None else span(n)

    positional = [*args.posonlyargs, *args.args]
    defaults: list[ast.expr | None] = [None] * (len(positional) - len(args.defaults)) + list(args.defaults)
    params: list[Param] = []
    for i, (arg, default) in enumerate(zip(positional, defaults, strict=True)):
        kind = "positional-only" if i < len(args.posonlyargs) else "positional or keyword"
        params.append((kind, arg.arg, text(arg.annotation), text(default)))
    if args.vararg:
        params.append(("variadic positional", args.vararg.arg, text(args.vararg.annotation), None))
    for arg, kw_default in zip(args.kwonlyargs, args.kw_defaults, strict=True):
        params.append(("keyword-only", arg.arg, text(arg.annotation), text(kw_default)))
    if args.kwarg:
        params.append(("variadic keyword", args.kwarg.arg, text(args.kwarg.annotation), None))
    decorators = "\n".join(span(d) for d in node.decorator_list)
    type_params = ",".join(span(t) for t in getattr(node, "type_params", []))
    head = f"{decorators}\n{type(node).__name__} {node.name}[{type_params}]"
    return Signature(head, tuple(params), text(node.returns))


def extends(old: Signature, new: Signature) -> bool:
    """Whether `new` only adds optional parameters to `old`, none before an old positional one."""
    if old.head != new.head or old.returns != new.returns:
        return False
    last = max((i for i, p in enumerate(old.params) if p[0] in _POSITIONAL), default=-1)
    if new.params[: last + 1] != old.params[: last + 1]:
        return False  # an old positional parameter changed, or one was inserted before it
    names = {p[1] for p in old.params}
    rest = iter(new.params[last + 1 :])
    for param in old.params[last + 1 :]:
        for candidate in rest:
            if candidate == param:
                break
            if not _optional_addition(candidate, names):
                return False
        else:
            return False  # an old parameter is gone or changed
    return all(_optional_addition(candidate, names) for candidate in rest)


def _optional_addition(param: Param, old_names: set[str]) -> bool:
    """A new parameter with a default (a variadic one has none: the engine calls it required), not an old name."""
    return param[3] is not None and param[1] not in old_names
