"""The cheap checks that let the interface engines skip files which only add to their interface, on real commits."""

from __future__ import annotations

from analysis.interfaces.api_shape import may_break
from analysis.interfaces.flags_env import may_drop
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
