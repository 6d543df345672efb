"""Command-line flags and environment variables a commit stops offering or reading, from old and new file text."""

from __future__ import annotations

import ast
import collections
import functools
import re
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field

from analysis.interfaces import InterfaceChange, InterfaceReport, quote
from analysis.interfaces.outline import top_level

FILE_BYTES = 1_000_000
ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
OPTION_CALLS = frozenset({"add_argument", "option", "Option"})  # argparse, click, typer
# A file can declare a flag or read a variable only if one of these words is in it: an option call's name, `environ`,
# `getenv`, or a call of a name holding "env" (what `surface` looks at); files without any are not parsed.
_WORD_LIST = r"add_argument|option|Option|environb?|getenvb?"
_ENV_CALL_TEXT = r"(?i:env)\w*[\s\\]*\("
TRIGGER = re.compile(rf"\b(?:{_WORD_LIST})\b|{_ENV_CALL_TEXT}")
# TRIGGER's two halves, for a fast yes/no: its words looked for as plain text (the word boundaries checked apart),
# and its `env...(` call
_WORDS = re.compile(_WORD_LIST)
_ENV_CALL = re.compile(_ENV_CALL_TEXT)
ENV_WRITES = ("set", "put", "unset", "del", "pop", "update", "clear")


@dataclass
class Surface:
    """Flags declared and environment variables read by some Python text."""

    flags: list[tuple[str, ...]] = field(default_factory=list)  # option strings of one declaration
    keys: list[str] = field(default_factory=list)  # dest= or help= of each declaration, "" when none
    env: set[str] = field(default_factory=set)


@functools.lru_cache(maxsize=64)
def surface(text: str) -> Surface:
    """The flags (argparse `add_argument`, click/typer `option`) and environment reads in Python text (kept per text).

    Read by top-level statements, each kept apart, so that those the other side of a change shares come cached; the
    flags in the order a walk of the whole module meets them (by depth, then statement), as `_flag_changes` expects.
    """
    parts = [_piece(piece) for piece in top_level(text)]
    if any(part is None for part in parts):  # cut where it should not be, or not Python: read it whole
        parts = [_walk(ast.parse(text))]
    found = Surface()
    calls = []
    for i, part in enumerate(parts):
        assert part is not None
        calls.extend((depth, i, seq, opts, key) for depth, seq, opts, key in part[0])
        found.env |= part[1]
    for *_, opts, key in sorted(calls, key=lambda c: c[:3]):
        found.flags.append(opts)
        found.keys.append(key)
    return found


Calls = list[tuple[int, int, tuple[str, ...], str]]  # depth, order of the walk, option strings, dest/help


@functools.lru_cache(maxsize=8192)
def _piece(source: str) -> tuple[Calls, frozenset[str]] | None:
    """The flag declarations and environment reads of some top-level statements; None if they do not parse."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError):
        return None
    return _walk(tree) if triggered(source) else ([], frozenset())


def _walk(tree: ast.AST) -> tuple[Calls, frozenset[str]]:
    found = Surface()
    calls: Calls = []
    for seq, (depth, node) in enumerate(_ast_nodes(tree)):
        if isinstance(node, ast.Subscript) and _is_environ(node.value) and isinstance(node.ctx, ast.Load):
            name = _const(node.slice)
            if name:
                found.env.add(name)
        elif isinstance(node, ast.Compare) and any(_is_environ(c) for c in node.comparators):
            name = _const(node.left)
            if name:
                found.env.add(name)
        elif isinstance(node, ast.Call):
            _call(node, found)
            if len(found.flags) > len(calls):
                calls.append((depth, seq, found.flags[-1], found.keys[-1]))
    return calls, frozenset(found.env)


def _ast_nodes(root: ast.AST) -> Iterator[tuple[int, ast.AST]]:
    """Every node under `root` with its depth, in the order `ast.walk` gives them, faster."""
    todo = collections.deque([(0, root)])
    pop, push, node_type = todo.popleft, todo.append, ast.AST
    while todo:
        depth, node = pop()
        yield depth, node
        for name in node._fields:
            child = getattr(node, name, None)
            if isinstance(child, node_type):
                push((depth + 1, child))
            elif isinstance(child, list):
                for c in child:
                    if isinstance(c, node_type):
                        push((depth + 1, c))


def _call(node: ast.Call, found: Surface) -> None:
    name = _callee(node.func)
    if name in OPTION_CALLS:
        opts = tuple(s for s in (_const(a) for a in node.args) if s and s.startswith("-") and len(s) > 1)
        if opts:
            found.flags.append(opts)
            kw = {k.arg: _const(k.value) for k in node.keywords if k.arg in ("dest", "help")}
            found.keys.append(kw.get("dest") or kw.get("help") or "")
        return
    on_environ = isinstance(node.func, ast.Attribute) and _is_environ(node.func.value)
    reads = name in ("getenv", "getenvb") or (name == "get" and on_environ)
    wrapper = "env" in name.lower() and not any(w in name.lower() for w in ENV_WRITES)
    if (reads or wrapper) and node.args:
        env = _const(node.args[0])
        if env and ENV_NAME.match(env) and (reads or env.isupper()):
            found.env.add(env)


def _callee(func: ast.expr) -> str:
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else ""


def _is_environ(node: ast.expr) -> bool:
    if isinstance(node, ast.Attribute):
        return node.attr in ("environ", "environb")
    return isinstance(node, ast.Name) and node.id in ("environ", "environb")


def _const(node: ast.expr) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def flag_env_changes(
    changed: Mapping[str, tuple[str | None, str | None]],
    *,
    max_bytes: int = FILE_BYTES,
    seconds: float = 20.0,
    clock: Callable[[], float] = time.monotonic,
) -> InterfaceReport:
    """Flags removed or renamed and environment variables no longer read across a commit's changed `.py` files.

    A flag or variable that moves from one changed file to another is not reported; one still used by a file the
    commit did not touch cannot be seen and is reported.
    """
    report = InterfaceReport()
    old_all, new_all = Surface(), Surface()
    deadline = clock() + seconds
    dropping = [p for p in sorted(changed) if p.endswith(".py") and may_drop(*changed[p], max_bytes)]
    _gather(changed, dropping, old_all, new_all, report, deadline, max_bytes, clock)
    if old_all.env - new_all.env or _flag_changes(old_all, new_all):
        # something is gone: the other files may declare it again or rename it; read every file in order
        report, old_all, new_all = InterfaceReport(), Surface(), Surface()
        _gather(changed, sorted(changed), old_all, new_all, report, deadline, max_bytes, clock)
    report.changes.extend(_flag_changes(old_all, new_all))
    for name in sorted(old_all.env - new_all.env):
        report.changes.append(
            InterfaceChange(name, "env_removed", f"environment variable `{quote(name)}` no longer read")
        )
    return report


def triggered(text: str) -> bool:
    """Whether TRIGGER matches anywhere in the text (the same answer as `TRIGGER.search`, several times faster)."""
    pos = 0
    while (m := _WORDS.search(text, pos)) is not None:
        start, end = m.span()
        if not (_word_char(text, start - 1) or _word_char(text, end)):
            return True
        pos = start + 1
    return _ENV_CALL.search(text) is not None


def _word_char(text: str, i: int) -> bool:
    return 0 <= i < len(text) and (text[i].isalnum() or text[i] == "_")


def may_declare(old: str | None, new: str | None) -> bool:
    """Whether a changed file can differ in flags or environment reads: its text changed and names one of them."""
    return old != new and any(triggered(t or "") for t in (old, new))


def may_drop(old: str | None, new: str | None, max_bytes: int = FILE_BYTES) -> bool:
    """Whether a changed file can stop declaring a flag or reading a variable: False when every place of its old
    text that declares or reads one is still in the new text, word for word with the lines around it."""
    if old is None or old == new or not triggered(old):
        return False  # nothing old declared or read
    if new is None or max(len(old), len(new)) > max_bytes:
        return True
    return any(window not in new for window in _windows(old))


def _windows(text: str) -> Iterator[str]:
    """The text around each word that can declare a flag or read a variable: from the line before it to the end of
    its positional arguments (the option strings and variable names), or two more lines when no bracket follows."""
    for m in TRIGGER.finditer(text):
        start = text.rfind("\n", 0, m.start()) + 1
        start = text.rfind("\n", 0, max(start - 1, 0)) + 1
        end, closed = _arguments_end(text, m.start())
        for _ in range(1 if closed else 3):
            found = text.find("\n", end + (0 if _ == 0 and closed else 1))
            end = len(text) if found < 0 else found
        yield text[start:end]


def _arguments_end(text: str, start: int, limit: int = 4000) -> tuple[int, bool]:
    """Where the brackets opened after `start` close or their first keyword argument begins (True), or where the
    line ends before any bracket opens (False); at most `limit` characters on."""
    depth = 0
    for i in range(start, min(len(text), start + limit)):
        ch = text[i]
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
            if depth <= 0:
                return i, True
        elif ch == "=" and depth == 1 and text[i + 1 : i + 2] != "=" and text[i - 1] not in "=!<>:":
            j = i - 1
            while j > start and text[j] in " \t":
                j -= 1
            if text[j].isalnum() or text[j] == "_":
                return i, True  # keyword arguments follow every positional one
        elif ch == "\n" and depth <= 0:
            return i, False
    return min(len(text), start + limit), True


def _gather(
    changed: Mapping[str, tuple[str | None, str | None]],
    paths: list[str],
    old_all: Surface,
    new_all: Surface,
    report: InterfaceReport,
    deadline: float,
    max_bytes: int,
    clock: Callable[[], float],
) -> None:
    """Add the surfaces of these files' two sides to `old_all` and `new_all`; note skipped and unparsed files."""
    worth = ((path, *changed[path]) for path in paths if path.endswith(".py") and may_declare(*changed[path]))
    for path, old, new in report.within_bounds(worth, deadline, max_bytes, clock):
        try:
            before, after = (surface(t) if t else Surface() for t in (old, new))
        except (SyntaxError, ValueError, RecursionError):
            report.unparsed.append(path)
            continue
        for total, part in ((old_all, before), (new_all, after)):
            total.flags.extend(part.flags)
            total.keys.extend(part.keys)
            total.env |= part.env


def _flag_changes(old: Surface, new: Surface) -> list[InterfaceChange]:
    new_opts = {o for group in new.flags for o in group}
    old_opts = {o for group in old.flags for o in group}
    added = [(g, k) for g, k in zip(new.flags, new.keys, strict=True) if not set(g) & old_opts]
    gone = [(g, k) for g, k in zip(old.flags, old.keys, strict=True) if any(o not in new_opts for o in g)]
    out: list[InterfaceChange] = []
    for group, key in gone:
        twin = _twin(group, key, new, added, single=len(gone) == 1 and len(added) == 1)
        for opt in group:
            if opt in new_opts:
                continue
            if twin:
                text = f"flag `{quote(opt)}` renamed to `{quote(twin)}`"
                out.append(InterfaceChange(opt, "flag_renamed", text))
            else:
                out.append(InterfaceChange(opt, "flag_removed", f"flag `{quote(opt)}` removed"))
    return out


def _twin(group: tuple[str, ...], key: str, new: Surface, added: list, *, single: bool) -> str | None:
    """The new option string a removed one was renamed to: same declaration, same dest/help, or the only pair."""
    long_first = sorted(group, key=lambda o: (not o.startswith("--"), o))
    for new_group, new_key in zip(new.flags, new.keys, strict=True):
        fresh = [o for o in new_group if o not in group]
        if fresh and (set(group) & set(new_group) or (key and key == new_key)):
            return sorted(fresh, key=lambda o: (not o.startswith("--"), o))[0]
    if single and long_first:
        return sorted(added[0][0], key=lambda o: (not o.startswith("--"), o))[0]
    return None
