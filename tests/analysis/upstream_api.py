"""An upstream Python package whose commits break its interface in every way the interface engine reports."""

from __future__ import annotations

from pathlib import Path

from analysis.interfaces import InterfaceReport
from analysis.interfaces.commit import commit_interface_changes
from tests.gitrepo import GitRepo

INIT = """from .core import func, run, Engine, order
from ._impl.fast import fast_path
from .helpers import *
"""
CORE = """import os


def func(a, key=None): ...
def run(x, block=64, *, mode="fast"): ...
def order(a, b): ...
def typed(a) -> int: ...
def opt(a, b=1): ...
def leaving(a): ...
def _private(a): ...


class Engine:
    def __init__(self, model, tp=1): ...
    def step(self, batch): ...
    def close(self): ...
    def _internal(self): ...
"""
CORE_BROKEN = """import os


def func(a): ...
def run(x, block=128, *, mode="fast", device): ...
def order(b, a): ...
def typed(a) -> str: ...
def opt(a, b): ...
def _private(): ...


class Engine:
    def __init__(self, model): ...
    def step(self, batch): ...
"""
HELPERS = '__all__ = ["helper"]\n\n\ndef helper(a): ...\ndef not_exported(a): ...\n'
FAST = "def fast_path(a, b): ...\ndef slow_path(a): ...\n"
CLI = """import argparse
import os

p = argparse.ArgumentParser()
p.add_argument("--tp-size", type=int, help="tensor parallel size")
p.add_argument("--block", type=int)
p.add_argument("--old-only")
CACHE = os.environ["PKG_CACHE"]
DEBUG = os.getenv("PKG_DEBUG")
KEEP = os.environ.get("PKG_KEEP")
"""
CLI_NEW = """import argparse
import os

p = argparse.ArgumentParser()
p.add_argument("--tensor-parallel-size", type=int, help="tensor parallel size")
p.add_argument("--block", type=int)
KEEP = os.environ.get("PKG_KEEP")
"""


def make_upstream(path: Path) -> tuple[GitRepo, dict[str, str]]:
    """The upstream repository and its commits by name: initial, api, reexport, cli, docs."""
    repo = GitRepo(path)
    shas = {}
    shas["initial"] = repo.commit(
        "Initial",
        {
            "README.md": "pkg\n",
            "src/pkg/__init__.py": INIT,
            "src/pkg/core.py": CORE,
            "src/pkg/helpers.py": HELPERS,
            "src/pkg/util.py": "def shared(): ...\n",
            "src/pkg/legacy.py": "def thing(): ...\n",
            "src/pkg/broken.py": "X = 1\n",
            "src/pkg/_impl/__init__.py": "",
            "src/pkg/_impl/fast.py": FAST,
            "src/pkg/cli.py": CLI,
            "tests/__init__.py": "",
            "tests/test_core.py": "def test_x(): ...\n",
        },
    )
    shas["api"] = repo.commit(
        "Rework the core API",
        {
            "src/pkg/core.py": CORE_BROKEN,
            "src/pkg/util.py": "def shared(): ...\ndef leaving(a): ...\n",
            "src/pkg/helpers.py": '__all__ = ["helper"]\n\n\ndef helper(a): ...\n',
            "src/pkg/_impl/fast.py": "def fast_path(a): ...\n",
            "src/pkg/broken.py": "def oops(:\n",
        },
    )
    shas["reexport"] = repo.commit(
        "Stop exporting run; drop legacy",
        {"src/pkg/__init__.py": INIT.replace("func, run,", "func,")},
        remove=["src/pkg/legacy.py"],
    )
    shas["cli"] = repo.commit("Rename the parallel flag", {"src/pkg/cli.py": CLI_NEW})
    shas["docs"] = repo.commit("Docs", {"README.md": "pkg, documented\n"})
    return repo, shas


def changes_of(repo: GitRepo, sha: str, **kw) -> InterfaceReport:
    """The interface report of one commit, fed from the git repository."""
    names = repo.git("diff", "--no-renames", "--name-only", f"{sha}^", sha).splitlines()

    def read(path: str, rev: str) -> str | None:
        try:
            return repo.git("show", f"{rev}:{path}")
        except RuntimeError:
            return None

    changed = {p: (read(p, f"{sha}^"), read(p, sha)) for p in names}
    paths = repo.git("ls-tree", "-r", "--name-only", sha).splitlines()
    return commit_interface_changes(changed, paths, read, f"{sha}^", sha, **kw)
