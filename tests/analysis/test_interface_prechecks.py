"""The cheap checks that let the interface engines skip files which only add to their interface, on real commits."""

from __future__ import annotations

import datetime as dt

from analysis.config import PipelineConfig, SourceConfig
from analysis.interfaces.api_shape import may_break
from analysis.interfaces.flags_env import may_drop
from analysis.interfaces.outline import top_level
from analysis.pipeline import run_digest
from storage.db import open_db
from tests.analysis.upstream_api import changes_of
from tests.gitrepo import GitRepo

CORE = '''import os


def run(
    x: int,
    block: int = 64,
    *,
    device: str = "cpu",
) -> int:
    """Run it."""
    return x + block


class Engine:
    def __init__(self, tp: int = 1):
        self.tp = tp
        self.size = 2

    def close(self) -> None:
        pass


def home() -> str:
    return os.environ.get("PKG_HOME", "/tmp")
'''
INIT = "from .core import Engine, run\n"


def _repo(tmp_path) -> tuple[GitRepo, str]:
    repo = GitRepo(tmp_path / "up")
    base = repo.commit("Base", {"src/pkg/__init__.py": INIT, "src/pkg/core.py": CORE})
    return repo, base


def _sides(repo: GitRepo, sha: str, path: str) -> tuple[str, str]:
    return repo.git("show", f"{sha}^:{path}"), repo.git("show", f"{sha}:{path}")


def test_additions_and_body_changes_are_skipped_and_give_nothing(tmp_path):
    repo, _ = _repo(tmp_path)
    grown = CORE.replace("return x + block", "return x + block + 1")
    grown += "\n\ndef extra(a):\n    return a\n\n\nLIMIT = 3\n"
    grown = grown.replace("        self.size = 2\n", "        self.size = 2\n        self.rank = 0\n")
    grown = grown.replace('"/tmp")', '"/tmp")\n\n\ndef level():\n    return os.environ.get("PKG_LEVEL")')
    sha = repo.commit("Grow", {"src/pkg/core.py": grown})
    old, new = _sides(repo, sha, "src/pkg/core.py")
    assert not may_break(old, new) and not may_drop(old, new)
    assert changes_of(repo, sha).changes == []


def test_a_parameter_removed_inside_a_multiline_signature_is_not_skipped(tmp_path):
    repo, _ = _repo(tmp_path)
    sha = repo.commit("Drop block", {"src/pkg/core.py": CORE.replace("    block: int = 64,\n", "")})
    assert may_break(*_sides(repo, sha, "src/pkg/core.py"))
    kinds = {(c.object, c.kind) for c in changes_of(repo, sha).changes}
    assert ("pkg.core.run", "param_removed") in kinds


def test_an_instance_attribute_removed_is_not_skipped(tmp_path):
    repo, _ = _repo(tmp_path)
    sha = repo.commit("Drop size", {"src/pkg/core.py": CORE.replace("        self.size = 2\n", "")})
    assert may_break(*_sides(repo, sha, "src/pkg/core.py"))
    kinds = {(c.object, c.kind) for c in changes_of(repo, sha).changes}
    assert ("pkg.core.Engine.size", "member_removed") in kinds


def test_a_reexported_name_dropped_from_an_init_is_not_skipped(tmp_path):
    repo, _ = _repo(tmp_path)
    sha = repo.commit("Narrow", {"src/pkg/__init__.py": "from .core import Engine\n"})
    assert may_break(*_sides(repo, sha, "src/pkg/__init__.py"))
    kinds = {(c.object, c.kind) for c in changes_of(repo, sha).changes}
    assert ("pkg.run", "removed") in kinds


def test_an_environment_read_moved_into_an_added_file_is_not_reported(tmp_path):
    repo, _ = _repo(tmp_path)
    moved = CORE.replace('return os.environ.get("PKG_HOME", "/tmp")', 'return "/tmp"')
    helper = 'import os\n\n\ndef home_dir():\n    return os.environ.get("PKG_HOME", "/tmp")\n'
    sha = repo.commit("Move the read", {"src/pkg/core.py": moved, "src/pkg/paths.py": helper})
    assert may_drop(*_sides(repo, sha, "src/pkg/core.py"))
    assert [c.kind for c in changes_of(repo, sha).changes] == []  # still read, by the added file
    gone = repo.commit(
        "Stop reading", {"src/pkg/paths.py": helper.replace('os.environ.get("PKG_HOME", "/tmp")', '""')}
    )
    assert [(c.object, c.kind) for c in changes_of(repo, gone).changes] == [("PKG_HOME", "env_removed")]


def test_additions_that_hide_or_reshape_old_entries_are_not_skipped():
    base = "import dataclasses\n\n\nclass Base:\n    def go(self, a):\n        pass\n\n\nclass Child(Base):\n    pass\n"
    assert may_break(
        base,
        base.replace("class Child(Base):\n    pass", "class Child(Base):\n    def go(self):\n        pass"),
    )
    assert may_break(base, base + "\n\ndef Base():\n    pass\n")  # a second binding of an old name
    fields = "import dataclasses\n\n\n@dataclasses.dataclass\nclass Cfg:\n    a: int = 1\n"
    assert may_break(fields, fields + "    b: int\n")  # a required field of a dataclass
    assert may_break("x = 1\n", "x = 1\n__all__ = ['y']\n")
    assert not may_break("X = 1\n", "X = 2\n")  # griffe reports no change of a value


def _changed(repo: GitRepo, message: str, text: str) -> tuple[bool, set[tuple[str, str]]]:
    """Commit a new core module: whether the check lets it reach griffe, and what the engine reports."""
    sha = repo.commit(message, {"src/pkg/core.py": text})
    return may_break(*_sides(repo, sha, "src/pkg/core.py")), {
        (c.object, c.kind) for c in changes_of(repo, sha).changes
    }


def test_signatures_that_only_gain_optional_parameters_are_skipped_and_give_nothing(tmp_path):
    repo, _ = _repo(tmp_path)
    grown = CORE.replace(
        '    device: str = "cpu",\n', '    device: str = "cpu",\n    stream: int | None = None,\n'
    )
    grown = grown.replace("    block: int = 64,\n", "    block: int = 64,\n    scale: float = 1.0,\n")
    grown = grown.replace(
        "def __init__(self, tp: int = 1):", "def __init__(self, tp: int = 1, pp: int = 1, *, ep=None):"
    )
    grown = grown.replace("def close(self) -> None:", "def close(self, wait: bool = False) -> None:")
    assert _changed(repo, "Grow the signatures", grown) == (False, set())


def test_a_default_removed_is_not_skipped(tmp_path):
    repo, _ = _repo(tmp_path)
    text = CORE.replace("block: int = 64,", "block: int,").replace(
        'device: str = "cpu",', 'device: str = "cpu", n=1,'
    )
    assert _changed(repo, "Require block", text) == (True, {("pkg.core.run", "param_now_required")})


def test_a_positional_parameter_inserted_before_an_old_one_is_not_skipped(tmp_path):
    repo, _ = _repo(tmp_path)
    text = CORE.replace("    x: int,\n", "    x: int,\n    y: int = 0,\n")
    breaks, kinds = _changed(repo, "Insert y", text)
    assert breaks and ("pkg.core.run", "param_moved") in kinds


def test_an_added_parameter_without_a_default_is_not_skipped(tmp_path):
    keyword = CORE.replace('    device: str = "cpu",\n', '    device: str = "cpu",\n    mode: str,\n')
    method = CORE.replace("def close(self) -> None:", "def close(self, wait) -> None:")
    for n, (message, text) in enumerate([("Add a keyword", keyword), ("Add a method parameter", method)]):
        repo, _ = _repo(tmp_path / str(n))
        breaks, kinds = _changed(repo, message, text)
        assert breaks and {k for _, k in kinds} == {"param_added_required"}


def test_changed_annotations_and_decorators_are_not_skipped(tmp_path):
    repo, _ = _repo(tmp_path)
    returns = CORE.replace(") -> int:", ") -> float:").replace("*,\n", "*,\n    extra: int = 0,\n")
    assert _changed(repo, "Return a float", returns) == (True, {("pkg.core.run", "return_changed")})
    annotated = CORE.replace("    x: int,\n", "    x: float,\n").replace("*,\n", "*,\n    extra: int = 0,\n")
    assert _changed(repo, "Take a float", annotated)[0]  # griffe itself reports no parameter type change
    decorated = CORE.replace("def home()", "@staticmethod\ndef home(a=1)")
    assert _changed(repo, "Decorate", decorated)[0]


def test_a_parameter_added_before_a_changed_default_is_not_skipped():
    old = "def f(*, a=1):\n    pass\n"
    assert may_break(old, "def f(*, b=2, a=3):\n    pass\n")
    assert may_break(old, "def f(*, a=3, b=2):\n    pass\n")
    assert may_break(old, "def f(*, a=1, **kw):\n    pass\n")  # variadic: the engine calls it required
    assert not may_break(old, "def f(*, b=2, a=1):\n    pass\n")


def test_modules_read_in_pieces_answer_as_when_read_whole():
    licence = '"""\nCopyright the authors.\n\nLicensed under the terms.\n"""\n\nimport os\n\n\n'
    old = licence + "def run(a, b=1):\n    pass\n\n\n@dec(\n    1,\n)\ndef go(a):\n    pass\n"
    assert top_level(old)[0] == licence.split("import")[0] and "".join(top_level(old)) == old
    assert [p.split("\n", 1)[0] for p in top_level(old)[1:]] == ["import os", "def run(a, b=1):", "@dec("]
    assert not may_break(old, old.replace("b=1)", "b=1, c=2)"))
    assert may_break(old, old.replace("def go(a)", "def go(b)"))
    tricky = "X = '''\ndef run(a): pass\n'''\nif X:\n    Y = 1\nelse:\n    Y = 2\n"  # a cut inside a string
    assert not may_break(tricky, tricky + "\ndef more():\n    pass\n")
    assert may_break(tricky, tricky.replace("Y = 2", "Z = 2"))


async def test_a_copied_module_is_a_new_file_and_its_source_is_not_removed(tmp_path):
    repo, _ = _repo(tmp_path)
    sha = repo.commit(
        "Copy the core",
        {"src/pkg/core.py": CORE.replace("x + block", "x + block + 1"), "src/pkg/zcore.py": CORE},
        date="2026-01-24T13:00:00+00:00",
    )
    assert repo.git("show", "-C", "--name-status", "--format=", sha).startswith("M")  # and a copy, `C...`
    db = open_db(tmp_path / "d.db")
    cfg = PipelineConfig(repos=[str(repo.path)], source=SourceConfig(git_fetch=False))
    digest = await run_digest(db, cfg, day=dt.date(2026, 1, 24))
    [entry] = [e for e in digest.repos[0].entries if e.commit.sha == sha]
    assert entry.interfaces is not None and entry.interfaces.changes == []


def test_pieces_are_cut_only_where_python_ends_a_line():
    text = "# a note\u2028bar = 1\nx = 1\n"  # a line separator inside a comment ends no line
    assert top_level(text) == ("# a note\u2028bar = 1\n", "x = 1\n")
    assert may_break(text, "x = 1\n") is False  # `bar` was never a name


def test_statements_both_sides_share_still_count_where_they_bind_a_changed_name(tmp_path):
    """Only the changed statements are read, but one the two sides share can make an addition break something:
    each of these is still found."""
    base = "class Base:\n    def run(self, x):\n        return x\n\n\nclass Child(Base):\n    pass\n"
    overrides = base.replace("    pass\n", "    def run(self):\n        return 0\n")  # Child.run hides Base.run
    hides = "class Base:\n    mode = 1\n\n\nclass Child:\n    def __init__(self):\n        pass\n"
    hiding = hides.replace("        pass\n", "        self.mode = 2\n")  # the instance's `mode` hides Base's
    rebound = "def pick(x):\n    return x\n\n\npick = staticmethod(pick)\n"
    reordered = "pick = staticmethod(pick)\n\n\ndef pick(x):\n    return x\n"  # the later binding wins now
    for old, new in ((base, overrides), (hides, hiding), (rebound, reordered)):
        assert may_break(old, new), new
    assert not may_break(base, base + "\n\ndef helper(y):\n    return y\n")  # a plain addition still skipped
