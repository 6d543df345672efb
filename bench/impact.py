""" "Affects your code" over a real upstream's history, against a consumer codebase this bench writes.

1. Ground truth, independent of the engine: for each first-parent commit touching the upstream package, griffe
   loads the package (changed modules and every `__init__.py`) at the parent and at the commit, and
   `griffe.find_breaking_changes` lists the breakages.
2. A consumer package is written into a temp dir that uses the upstream API the way teams do: aliases, lazy imports
   in functions, try/except ImportError, re-exports through its own package, module aliases, names re-exported by
   the upstream's `__init__`, subclasses of upstream classes whose methods change, plus stable symbols as
   distractors. The bench knows every line where it names an upstream object.
3. The engine (analysis.interfaces + analysis.teamcode) computes interface changes per commit and the impacts on the
   consumer's index. Printed: commit-level and place-level precision and recall of "affects your code", and the
   attention recall of the interface changes against griffe's list.
Per-commit results (griffe's list and the engine's report) are cached under `--cache` (default: a directory in the
system temp dir), one JSON file per commit SHA, so reruns only compute what is new; `--fresh` ignores the cache.
Usage: python bench/impact.py --repo /path/to/flashinfer [--package flashinfer] [--since 2026-07-01] [--until 2026-08-14]
"""

from __future__ import annotations

import argparse
import ast
import io
import json
import os
import subprocess
import sys
import tarfile
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import griffe

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analysis.interfaces import InterfaceReport  # noqa: E402
from analysis.teamcode.impact import impacts  # noqa: E402
from analysis.teamcode.index import build_index  # noqa: E402
from analysis.teamcode.upstream import CloneReader  # noqa: E402

MAX_BROKEN = 40  # broken symbols the consumer uses
STABLE = 15  # stable symbols the consumer uses as distractors
SHOWN = 20  # missed and extra places printed


def git(repo: Path, *args: str) -> bytes:
    """The output of a git command in `repo` (bounded)."""
    return subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, check=True, timeout=300
    ).stdout


def window(repo: Path, since: str, until: str) -> list[str]:
    """First-parent, non-merge commits of HEAD committed in [since, until] (whole days, UTC), oldest first."""
    out = git(
        repo,
        "log",
        "--first-parent",
        "--no-merges",
        f"--since={since}T00:00:00Z",
        f"--until={until}T23:59:59Z",
        "--format=%H",
    )
    return out.decode().split()[::-1]


def _load(repo: Path, rev: str, paths: list[str], package: str, into: Path) -> griffe.Module | None:
    existing = set(git(repo, "ls-tree", "-r", "--name-only", rev, "--", package).decode().splitlines())
    wanted = [p for p in paths if p in existing] + [p for p in existing if p.endswith("/__init__.py")]
    if not wanted:
        return None
    data = git(repo, "archive", "--format=tar", rev, "--", *sorted(set(wanted)))
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        tar.extractall(into, filter="data")
    try:
        return griffe.load(package, search_paths=[str(into)], resolve_aliases=False, allow_inspection=False)
    except Exception:  # noqa: BLE001 - a tree griffe cannot load gives no truth for that commit
        return None


def griffe_breaks(repo: Path, sha: str, package: str) -> list[tuple[str, str]]:
    """(object path, breakage kind) that griffe finds between the parent and the commit."""
    names = git(repo, "diff-tree", "--no-commit-id", "--no-renames", "-r", "--name-only", f"{sha}^", sha)
    changed = [n for n in names.decode().splitlines() if n.startswith(package + "/") and n.endswith(".py")]
    if not changed:
        return []
    with tempfile.TemporaryDirectory() as a, tempfile.TemporaryDirectory() as b:
        old = _load(repo, f"{sha}^", changed, package, Path(a))
        new = _load(repo, sha, changed, package, Path(b))
        if old is None or new is None:
            return []
        found: list[tuple[str, str]] = []
        for path in changed:
            dotted = path.removesuffix(".py").removesuffix("/__init__").replace("/", ".")
            found += _module_breaks(_member(old, dotted), _member(new, dotted), dotted)
    return [
        (p, k)
        for p, k in found
        if not any(x.startswith("_") and not x.startswith("__") for x in p.split("."))
    ]


def _member(pkg: griffe.Module, dotted: str) -> griffe.Object | None:
    try:
        obj = pkg.get_member(dotted.split(".", 1)[1]) if "." in dotted else pkg
    except Exception:  # noqa: BLE001 - a module griffe cannot reach has no truth
        return None
    return None if obj.is_alias else obj


def _module_breaks(
    old: griffe.Object | None, new: griffe.Object | None, dotted: str
) -> list[tuple[str, str]]:
    """griffe's breakages of one changed module, member by member when an alias stops the whole comparison."""
    if old is None:
        return []
    if new is None:
        return [(dotted, "Public object was removed")]
    try:
        return [(br.obj.path, br.kind.value) for br in griffe.find_breaking_changes(old, new)]
    except Exception:  # noqa: BLE001 - e.g. CyclicAliasError on a name that is both a module and a function
        pass
    out: list[tuple[str, str]] = []
    for name, member in old.members.items():
        if member.is_alias or member.is_module:
            continue
        other = new.members.get(name)
        if other is None:
            out.append((member.path, "Public object was removed"))
            continue
        try:
            out += [(br.obj.path, br.kind.value) for br in griffe.find_breaking_changes(member, other)]
        except Exception:  # noqa: BLE001
            continue
    return out


def top_exports(repo: Path, rev: str, package: str) -> dict[str, str]:
    """Names the package's `__init__` re-exports: canonical dotted path -> public short path."""
    text = git(repo, "show", f"{rev}:{package}/__init__.py").decode(errors="replace")
    out = {}
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.ImportFrom) and node.level == 1 and node.module:
            for alias in node.names:
                if alias.name != "*" and not (alias.asname or alias.name).startswith("_"):
                    out[f"{package}.{node.module}.{alias.name}"] = f"{package}.{alias.asname or alias.name}"
    return out


@dataclass
class Usage:
    """One upstream object the consumer uses, and every consumer line that names it."""

    path: str  # canonical dotted path of what is used (a method for a subclass override)
    places: list[tuple[str, int]] = field(default_factory=list)
    module: str = ""  # a module the consumer imports whole to reach `path`, when it does
    module_places: list[tuple[str, int]] = field(default_factory=list)  # the lines importing `module`


class Consumer:
    """Writes the consumer package file by file, recording each line that names an upstream object."""

    def __init__(self, root: Path, package: str):
        self.root, self.package = root, package
        self.files: dict[str, list[str]] = {}
        self.usages: list[Usage] = []

    def _add(self, file: str, lines: list[str], marks: list[int], usage: Usage) -> None:
        body = self.files.setdefault(file, ['"""Model serving helpers."""', ""])
        start = len(body)
        body.extend([*lines, ""])
        usage.places += [(file, start + i + 1) for i in marks]

    def use(self, n: int, canonical: str, public: str | None, kind: str) -> None:
        """Use `canonical` (a function or class; `kind` "method" for Class.method) in the n-th pattern."""
        mod, _, name = canonical.rpartition(".")
        u = Usage(canonical)
        self.usages.append(u)
        tag = f"u{n}"
        if kind == "method":
            cls_path, meth = mod, name
            cmod, _, cname = cls_path.rpartition(".")
            lines = [
                f"from {cmod} import {cname} as _Base{n}",
                "",
                f"class Tuned{n}(_Base{n}):",
                f"    def {meth}(self, *args, **kwargs):",
                f"        return super().{meth}(*args, **kwargs)",
            ]
            return self._add("consumer/layers.py", lines, [0, 2], u)
        pattern = n % 6
        if pattern == 0:  # an alias
            self._add(
                "consumer/ops.py",
                [f"from {mod} import {name} as {tag}", "", f"def call_{tag}(*a):", f"    return {tag}(*a)"],
                [0, 3],
                u,
            )
        elif pattern == 1:  # a lazy import in a function
            self._add(
                "consumer/lazy.py",
                [f"def call_{tag}(*a):", f"    from {mod} import {name}", f"    return {name}(*a)"],
                [1, 2],
                u,
            )
        elif pattern == 2:  # guarded by try/except ImportError
            lines = [
                "try:",
                f"    from {mod} import {name} as {tag}",
                "except ImportError:",
                f"    {tag} = None",
                "",
                f"def call_{tag}(*a):",
                f"    return {tag}(*a) if {tag} else None",
            ]
            self._add("consumer/optional.py", lines, [1, 6], u)
        elif pattern == 3:  # re-exported through the consumer's own package, used elsewhere
            self._add("consumer/_compat.py", [f"from {mod} import {name} as {tag}  # noqa: F401"], [0], u)
            self._add(
                "consumer/service.py",
                [f"from consumer._compat import {tag}", "", f"def run_{tag}(*a):", f"    return {tag}(*a)"],
                [0, 3],
                u,
            )
        elif pattern == 4:  # a module alias and an attribute (the import line breaks with the module)
            self._add(
                "consumer/kernels.py",
                [f"import {mod} as m{tag}", "", f"def call_{tag}(*a):", f"    return m{tag}.{name}(*a)"],
                [3],
                u,
            )
            u.module, u.module_places = mod, [(u.places[0][0], u.places[0][1] - 3)]
        else:  # through the upstream's own re-export, else the module path
            top = public or canonical
            tmod, _, tname = top.rpartition(".")
            self._add(
                "consumer/api.py",
                [f"from {tmod} import {tname}", "", f"def call_{tag}(*a):", f"    return {tname}(*a)"],
                [0, 3],
                u,
            )
            u.path = canonical

    def write(self) -> None:
        """Write the files (and package `__init__`s)."""
        (self.root / "consumer").mkdir(parents=True, exist_ok=True)
        (self.root / "consumer" / "__init__.py").write_text('"""The consumer."""\n')
        for name, lines in self.files.items():
            (self.root / name).write_text("\n".join(lines) + "\n")


class Cache:
    """Per-commit results in one JSON file per SHA and kind (`griffe`, `engine`); `fresh` recomputes and overwrites."""

    def __init__(self, root: Path, fresh: bool):
        self.root, self.fresh = root, fresh
        root.mkdir(parents=True, exist_ok=True)

    def get(self, kind: str, sha: str) -> object | None:
        """The cached value, or None when absent, unreadable or `fresh`."""
        path = self.root / f"{sha}.{kind}.json"
        if self.fresh or not path.exists():
            return None
        try:
            return json.loads(path.read_text())
        except (OSError, ValueError):
            return None

    def put(self, kind: str, sha: str, value: object) -> None:
        """Store a value (written to a temp file, then renamed, so a stopped run leaves no half file)."""
        path = self.root / f"{sha}.{kind}.json"
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(value))
        tmp.replace(path)


def cached_truth(cache: Cache, repo: Path, sha: str, package: str) -> list[tuple[str, str]]:
    """griffe's breakages of a commit, from the cache when there."""
    hit = cache.get("griffe", sha)
    if isinstance(hit, list):
        return [(str(p), str(k)) for p, k in hit]
    found = griffe_breaks(repo, sha, package)
    cache.put("griffe", sha, found)
    return found


def cached_report(cache: Cache, reader: CloneReader, sha: str) -> InterfaceReport:
    """The engine's interface report of a commit, from the cache when there."""
    hit = cache.get("engine", sha)
    if isinstance(hit, dict):
        return InterfaceReport.from_dict(hit)
    report = reader.report(sha, seconds=60)
    cache.put("engine", sha, report.to_dict())
    return report


def meets(used: str, broken: str) -> bool:
    """Whether code using `used` meets a break griffe names at `broken`: the object itself, what holds it, or its
    class's constructor (griffe says `Class.__init__`; calling the class, or a subclass of it, meets it)."""
    broken = broken.removesuffix(".__init__")
    return used == broken or used.startswith(broken + ".")


def _ratio(a: int, b: int) -> float:
    return a / b if b else 1.0


def main() -> None:
    """Run the bench and print its measures."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repo", type=Path, required=True)
    ap.add_argument("--package", default="flashinfer")
    ap.add_argument("--since", default="2026-07-01")
    ap.add_argument("--until", default="2026-08-14")
    ap.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "impact-bench-cache")
    ap.add_argument("--fresh", action="store_true", help="recompute every commit (and refresh the cache)")
    args = ap.parse_args()
    wall = time.monotonic()
    repo, pkg = args.repo.resolve(), args.package
    cache = Cache(args.cache / repo.name, args.fresh)
    shas = window(repo, args.since, args.until)
    started = time.monotonic()
    truth: dict[str, list[tuple[str, str]]] = {}
    for n, sha in enumerate(shas, start=1):
        truth[sha] = cached_truth(cache, repo, sha, pkg)
        if n % 25 == 0:
            print(f"  griffe: {n}/{len(shas)} commits", file=sys.stderr, flush=True)
    griffe_s = time.monotonic() - started
    exports = top_exports(repo, shas[0], pkg)
    # the consumer uses the broken objects (a method through a subclass), then stable ones
    chosen: dict[str, str] = {}
    for sha in shas:
        for path, _kind in truth[sha]:
            parts = path.split(".")
            if len(chosen) >= MAX_BROKEN or path in chosen or len(parts) < 3:
                continue
            owner_is_class = parts[-2][:1].isupper()
            chosen[path] = "method" if owner_is_class else "object"
    broken = {p for b in truth.values() for p, _ in b}
    stable = [c for c in exports if c not in broken and not any(b.startswith(c + ".") for b in broken)]
    with tempfile.TemporaryDirectory(prefix="consumer-") as tmp:
        consumer = Consumer(Path(tmp), pkg)
        for n, (path, kind) in enumerate(chosen.items()):
            consumer.use(n, path, exports.get(path), kind)
        for n, path in enumerate(stable[:STABLE], start=len(chosen)):
            consumer.use(n, path, exports.get(path), "object")
        consumer.write()
        index = build_index(tmp, None)
    reader = CloneReader(str(repo))
    started = time.monotonic()
    pred_commits, true_commits = set(), set()
    pred_places, true_places = set(), set()
    direct_commits: set[str] = set()  # commits met by a direct impact (not only through an owner)
    attention_hit = attention_all = 0
    extra: dict[tuple[str, str, int], str] = {}  # predicted place -> the change that placed it
    for n, sha in enumerate(shas, start=1):
        if n % 25 == 0:
            print(f"  engine: {n}/{len(shas)} commits", file=sys.stderr, flush=True)
        report = cached_report(cache, reader, sha)
        seen = {c.object for c in report.changes} | {a for c in report.changes for a in c.aliases}
        for path, _kind in truth[sha]:
            attention_all += 1
            attention_hit += any(path == s or path.startswith(s + ".") for s in seen)
        for imp in impacts(report.changes, index):
            if imp.direct:
                direct_commits.add(sha)
            pred_commits.add(sha)
            pred_places.update((sha, f, line) for f, line in imp.places)
            for f, line in imp.places:
                extra.setdefault((sha, f, line), f"{imp.object} {imp.kind}{'' if imp.direct else ' (owner)'}")
        for u in consumer.usages:
            if any(meets(u.path, p) for p, _ in truth[sha]):
                true_commits.add(sha)
                true_places.update((sha, f, line) for f, line in u.places)
            if u.module and any(meets(u.module, p) for p, _ in truth[sha]):
                true_places.update((sha, f, line) for f, line in u.module_places)
    engine_s = time.monotonic() - started
    cp, cr = (
        _ratio(len(pred_commits & true_commits), len(pred_commits)),
        _ratio(len(pred_commits & true_commits), len(true_commits)),
    )
    pp, pr = (
        _ratio(len(pred_places & true_places), len(pred_places)),
        _ratio(len(pred_places & true_places), len(true_places)),
    )
    print(
        f"upstream {repo.name} {args.since}..{args.until}: {len(shas)} commits, {sum(map(len, truth.values()))} griffe breakages in {sum(1 for b in truth.values() if b)} commits ({griffe_s:.0f} s)"
    )
    print(
        f"consumer: {len(consumer.usages)} upstream symbols used ({len(chosen)} that break, {min(STABLE, len(stable))} stable), {sum(len(u.places) for u in consumer.usages)} places, {len(consumer.files)} files"
    )
    print(f"engine: {engine_s:.0f} s for {len(shas)} commits (cache {cache.root})")
    print(
        f"commit level: precision {cp:.3f} recall {cr:.3f} (predicted {len(pred_commits)}, true {len(true_commits)})"
    )
    print(
        f"commit level, direct impacts only: precision {_ratio(len(direct_commits & true_commits), len(direct_commits)):.3f}"
        f" recall {_ratio(len(direct_commits & true_commits), len(true_commits)):.3f} (predicted {len(direct_commits)})"
    )
    for sha in sorted(pred_commits ^ true_commits):
        print(f"  {'extra' if sha in pred_commits else 'missed'} commit {sha[:7]}")
    print(
        f"place level:  precision {pp:.3f} recall {pr:.3f} (predicted {len(pred_places)}, true {len(true_places)})"
    )
    print(
        f"attention recall vs griffe: {_ratio(attention_hit, attention_all):.3f} ({attention_hit} of {attention_all})"
    )
    used = {place: u.path for u in consumer.usages for place in u.places}
    for sha, f, line in sorted(true_places - pred_places)[:SHOWN]:
        print(f"  missed place {sha[:7]} {f}:{line} {used.get((f, line), '')}")
    for sha, f, line in sorted(pred_places - true_places)[:SHOWN]:
        print(
            f"  extra place  {sha[:7]} {f}:{line} {used.get((f, line), '')} {extra.get((sha, f, line), '')}"
        )
    print(f"wall time: {time.monotonic() - wall:.0f} s")


if __name__ == "__main__":
    main()
