"""Public Python API changes between the old and new text of a commit's changed modules, with griffe."""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path

import griffe

from analysis.interfaces import InterfaceChange, InterfaceReport, quote
from analysis.interfaces.api_shape import may_break, may_differ
from analysis.interfaces.packages import Package, is_private, module_of
from analysis.interfaces.reexports import Reader, load_reexports, public_names

FILE_BYTES = 1_000_000  # a side of a changed file larger than this is skipped
SECONDS = 20.0  # time bound for one commit
GONE = ("removed", "moved", "member_removed")
_DATACLASSES = griffe.DataclassesExtension()

Texts = Mapping[str, "tuple[str | None, str | None]"]
Raw = tuple[str, str, str]  # object path, kind, text


def api_changes(
    changed: Texts,
    packages: Sequence[Package],
    read: Reader | None = None,
    old_rev: str = "",
    new_rev: str = "",
    *,
    seconds: float = SECONDS,
    max_bytes: int = FILE_BYTES,
    clock: Callable[[], float] = time.monotonic,
) -> InterfaceReport:
    """The public API changes of the changed files `{path: (old_text, new_text)}` inside `packages`.

    `read(path, rev)` gives other files (the packages' `__init__.py`) to resolve re-exports; files past the size
    bound are skipped, unparseable ones counted, and files left when `seconds` pass are listed as timed out.
    """
    report = InterfaceReport()
    deadline = clock() + seconds
    parsed: dict[str, tuple[str, griffe.Module | None, griffe.Module | None]] = {}
    added = {p for p, (old, _) in changed.items() if old is None}
    breaking = {
        p
        for p in set(changed) - added
        if module_of(p, packages) is not None and may_break(*changed[p], max_bytes)
    }
    _parse_changed(changed, sorted(breaking), packages, parsed, report, deadline, max_bytes, clock)
    raw = _merge_moves(_raw_changes(parsed))
    rest = sorted(set(changed) - breaking)  # modules that only add (or are added)
    if any(kind in GONE for _, kind, _ in raw):  # one of them may be where something moved
        _parse_changed(changed, rest, packages, parsed, report, deadline, max_bytes, clock)
        raw = _merge_moves(_raw_changes(parsed))
    else:  # they have nothing to lose: only their names matter, for their packages' re-exports
        for path in rest:
            module = module_of(path, packages)
            if module is None or not may_differ(*changed[path]):
                continue
            if len(changed[path][0] or "") <= max_bytes and len(changed[path][1] or "") <= max_bytes:
                parsed[path] = (module, None, None)
            else:
                report.skipped_files.append(path)
    report.skipped_files.sort()
    if not raw:
        return report
    olds = {p: t[0] for p, t in changed.items()}
    news = {p: t[1] for p, t in changed.items()}
    modules = {m for m, _, _ in parsed.values()}
    before = load_reexports(modules, list(packages), old_rev, olds, read)
    after = load_reexports(modules, list(packages), new_rev, news, read)
    for obj, kind, text in raw:
        aliases = before.aliases(obj)
        if kind in GONE:
            aliases = [a for a in aliases if a not in after.exported]
        names = public_names([obj, *aliases])
        if not names:
            continue
        change = InterfaceChange(names[0], kind, text, tuple(names[1:]))
        if change not in report.changes:
            report.changes.append(change)
    return report


def _parse_changed(
    changed: Texts,
    paths: list[str],
    packages: Sequence[Package],
    parsed: dict[str, tuple[str, griffe.Module | None, griffe.Module | None]],
    report: InterfaceReport,
    deadline: float,
    max_bytes: int,
    clock: Callable[[], float],
) -> None:
    """Parse both sides of these files into `parsed`; note timed-out, skipped and unparsed ones in `report`."""
    modules = {path: module_of(path, packages) for path in paths}
    worth = (
        (path, *changed[path]) for path in paths if modules[path] is not None and may_differ(*changed[path])
    )
    for path, old, new in report.within_bounds(worth, deadline, max_bytes, clock):
        module = modules[path]
        assert module is not None
        try:
            sides = tuple(_visit(module, path, text) for text in (old, new))
        except Exception:  # noqa: BLE001 - griffe raises SyntaxError and others on code it cannot read
            report.unparsed.append(path)
            continue
        parsed[path] = (module, sides[0], sides[1])


def _merge_moves(raw: list[Raw]) -> list[Raw]:
    """One `param_moved` line per function, naming the first few parameters that moved."""
    moved: dict[str, list[str]] = {}
    for obj, kind, text in raw:
        if kind == "param_moved":
            moved.setdefault(obj, []).append(text.split("`")[1])
    out: list[Raw] = []
    for obj, kind, text in raw:
        if kind != "param_moved":
            out.append((obj, kind, text))
        elif obj in moved:
            names = moved.pop(obj)
            shown = ", ".join(f"`{n}`" for n in names[:3])
            more = f" and {len(names) - 3} more" if len(names) > 3 else ""
            out.append(
                (
                    obj,
                    kind,
                    f"parameter {shown} moved" if len(names) == 1 else f"parameters {shown}{more} moved",
                )
            )
    return out


def _visit(module: str, path: str, text: str | None) -> griffe.Module | None:
    return None if text is None else _visit_text(module, path, text)


@functools.lru_cache(maxsize=32)
def _visit_text(module: str, path: str, text: str) -> griffe.Module:
    """The module griffe reads from a text, kept per text: a commit's new side is often the next commit's old side."""
    found = griffe.visit(module, Path(path), text)
    _DATACLASSES.on_package(pkg=found)  # a dataclass's `__init__` from its fields, as `griffe.load` gives it
    return found


def _raw_changes(parsed: dict[str, tuple[str, griffe.Module | None, griffe.Module | None]]) -> list[Raw]:
    added_modules = [m for m, old, new in parsed.values() if old is None and new is not None]
    added_as = {m: new for m, old, new in parsed.values() if old is None and new is not None}
    new_homes: dict[str, list[str]] = {}  # name -> modules where it newly appears
    for module, old, new in parsed.values():
        if new is None:
            continue
        before = set(_public(old)) if old is not None else set()
        for name, obj in _public(new).items():
            if name not in before and not obj.is_alias:
                new_homes.setdefault(name, []).append(module)
    out: list[Raw] = []
    for module, old, new in sorted(parsed.values(), key=lambda t: t[0]):
        if old is None:
            continue
        if new is None:
            if is_private(module):
                continue
            if same := added_as.get(module):  # a module turned into a package (or back) keeps its name
                out.extend(_module_changes(module, old, same, new_homes))
                continue
            last = module.rsplit(".", 1)[-1]
            twins = [m for m in added_modules if m.rsplit(".", 1)[-1] == last and m != module]
            if twins:
                out.append((module, "moved", f"module `{quote(module)}` moved to `{quote(twins[0])}`"))
            else:
                out.append((module, "removed", f"module `{quote(module)}` removed"))
            continue
        out.extend(_module_changes(module, old, new, new_homes))
    return out


def _public(module: griffe.Module) -> dict[str, griffe.Object | griffe.Alias]:
    """Public names of a module: `__all__` when present, else public definitions (and re-exports of an `__init__`)."""
    is_init = module.filepath.name.startswith("__init__") if isinstance(module.filepath, Path) else False
    exports = module.exports
    out = {}
    for name, member in module.members.items():
        if name.startswith("_") or not name.isidentifier():
            continue
        if exports is not None:
            if name in [str(e) for e in exports]:
                out[name] = member
        elif not member.is_alias:
            out[name] = member
        elif is_init and str(member.target_path).split(".")[0] == module.path.split(".")[0]:
            out[name] = member
    return out


def _module_changes(
    module: str, old: griffe.Module, new: griffe.Module, new_homes: dict[str, list[str]]
) -> Iterator[Raw]:
    compared = set()
    for name, before in _public(old).items():
        path = f"{module}.{name}"
        after = new.members.get(name)
        if after is None:
            homes = [m for m in new_homes.get(name, []) if m != module]
            if before.is_alias:
                yield path, "removed", f"`{name}` no longer exported from `{quote(module)}`"
            elif homes:
                yield path, "moved", f"`{name}` moved to `{quote(homes[0])}`"
            else:
                yield path, "removed", f"`{name}` removed"
        elif not before.is_alias and not after.is_alias:
            compared.add(name)  # an alias on either side: a re-export, or moved and imported back
    try:
        found = list(griffe.find_breaking_changes(old, new))
    except Exception:  # noqa: BLE001 - a module griffe cannot compare gives no member changes
        found = []
    inside = [b for b in found if _top_name(module, b.obj.path) in compared]
    yield from _breakages(inside)
    for name in sorted(compared):
        yield from _returns(old.members[name], new.members[name])


def _top_name(module: str, path: str) -> str:
    rest = path[len(module) + 1 :] if path.startswith(module + ".") else ""
    return rest.split(".", 1)[0]


def _owner(path: str) -> str:
    return path[: -len(".__init__")] if path.endswith(".__init__") else path


def _breakages(found: list[griffe.Breakage]) -> Iterator[Raw]:
    removed_in = {b.obj.path for b in found if b.kind is griffe.BreakageKind.PARAMETER_REMOVED}
    for b in found:
        kind, path = b.kind, b.obj.path
        if kind is griffe.BreakageKind.OBJECT_REMOVED:
            name = b.obj.name
            parent = b.obj.parent
            if name.startswith("_"):
                continue
            if parent is not None and parent.is_class:
                yield path, "member_removed", f"member `{name}` removed from `{parent.name}`"
            else:
                yield path, "removed", f"`{name}` removed"
            continue
        if kind is griffe.BreakageKind.OBJECT_CHANGED_KIND:
            yield (
                path,
                "kind_changed",
                f"`{b.obj.name}` changed from {b.old_value.value} to {b.new_value.value}",
            )
            continue
        if kind is griffe.BreakageKind.RETURN_CHANGED_TYPE:
            yield path, "return_changed", f"return type `{quote(b.old_value)}` removed"
            continue
        if kind is griffe.BreakageKind.CLASS_REMOVED_BASE:
            yield path, "base_removed", f"base class `{quote(b.old_value)}` removed"
            continue
        param = (b.old_value or b.new_value).name
        owner = _owner(path)
        if kind is griffe.BreakageKind.PARAMETER_REMOVED:
            yield owner, "param_removed", f"parameter `{param}` removed"
        elif kind is griffe.BreakageKind.PARAMETER_ADDED_REQUIRED:
            yield owner, "param_added_required", f"parameter `{param}` added as required"
        elif kind is griffe.BreakageKind.PARAMETER_CHANGED_REQUIRED:
            yield owner, "param_now_required", f"parameter `{param}` now required"
        elif kind is griffe.BreakageKind.PARAMETER_MOVED and path not in removed_in:
            yield owner, "param_moved", f"parameter `{param}` moved"
        elif kind is griffe.BreakageKind.PARAMETER_CHANGED_KIND:
            yield (
                owner,
                "param_kind_changed",
                (f"parameter `{param}` changed from {b.old_value.kind.value} to {b.new_value.kind.value}"),
            )
        elif kind is griffe.BreakageKind.PARAMETER_CHANGED_DEFAULT:
            yield (
                owner,
                "param_default_changed",
                (
                    f"default of `{param}` changed from {quote(b.old_value.default)} to {quote(b.new_value.default)}"
                ),
            )


def _returns(old: griffe.Object, new: griffe.Object) -> Iterator[Raw]:
    """Return annotations that changed text (griffe itself only reports a removed one)."""
    if old.is_function and new.is_function:
        if old.returns is not None and new.returns is not None and str(old.returns) != str(new.returns):
            yield (
                _owner(old.path),
                "return_changed",
                (f"return type changed from `{quote(old.returns)}` to `{quote(new.returns)}`"),
            )
    elif old.is_class and new.is_class:
        for name, member in old.members.items():
            other = new.members.get(name)
            if (
                other is None
                or member.is_alias
                or other.is_alias
                or (name.startswith("_") and name != "__init__")
            ):
                continue
            yield from _returns(member, other)
