"""Interface changes of upstream commits, read from real git repositories."""

from __future__ import annotations

import itertools
import os
import subprocess
from pathlib import Path

import pytest

from analysis.interfaces import InterfaceReport
from analysis.interfaces.flags_env import flag_env_changes
from analysis.interfaces.packages import Package, find_packages, module_of
from analysis.interfaces.python_api import api_changes
from tests.analysis.upstream_api import changes_of, make_upstream
from tests.gitrepo import GitRepo


@pytest.fixture(scope="module")
def upstream(tmp_path_factory):
    return make_upstream(tmp_path_factory.mktemp("up") / "pkg")


def rows(report: InterfaceReport):
    return [(c.object, c.kind, c.text, c.aliases) for c in report.changes]


def test_api_breaks_of_every_kind_with_reexport_paths_and_private_changes_left_out(upstream):
    repo, shas = upstream
    report = changes_of(repo, shas["api"])
    assert rows(report) == [
        ("pkg.fast_path", "param_removed", "parameter `b` removed", ()),
        ("pkg.core.leaving", "moved", "`leaving` moved to `pkg.util`", ()),
        ("pkg.core.func", "param_removed", "parameter `key` removed", ("pkg.func",)),
        ("pkg.core.run", "param_default_changed", "default of `block` changed from 64 to 128", ("pkg.run",)),
        ("pkg.core.run", "param_added_required", "parameter `device` added as required", ("pkg.run",)),
        ("pkg.core.order", "param_moved", "parameters `a`, `b` moved", ("pkg.order",)),
        ("pkg.core.opt", "param_now_required", "parameter `b` now required", ()),
        ("pkg.core.Engine", "param_removed", "parameter `tp` removed", ("pkg.Engine",)),
        (
            "pkg.core.Engine.close",
            "member_removed",
            "member `close` removed from `Engine`",
            ("pkg.Engine.close",),
        ),
        ("pkg.core.typed", "return_changed", "return type changed from `int` to `str`", ()),
    ]
    assert report.unparsed == ["src/pkg/broken.py"]
    assert report.skipped_files == [] and report.timed_out == []


def test_a_name_dropped_from_init_and_a_deleted_module_are_removed(upstream):
    repo, shas = upstream
    assert rows(changes_of(repo, shas["reexport"])) == [
        ("pkg.run", "removed", "`run` no longer exported from `pkg`", ()),
        ("pkg.legacy", "removed", "module `pkg.legacy` removed", ()),
    ]


def test_flags_renamed_or_removed_and_environment_no_longer_read(upstream):
    repo, shas = upstream
    assert rows(changes_of(repo, shas["cli"])) == [
        ("pkg.cli.CACHE", "removed", "`CACHE` removed", ()),
        ("pkg.cli.DEBUG", "removed", "`DEBUG` removed", ()),
        ("--tp-size", "flag_renamed", "flag `--tp-size` renamed to `--tensor-parallel-size`", ()),
        ("--old-only", "flag_removed", "flag `--old-only` removed", ()),
        ("PKG_CACHE", "env_removed", "environment variable `PKG_CACHE` no longer read", ()),
        ("PKG_DEBUG", "env_removed", "environment variable `PKG_DEBUG` no longer read", ()),
    ]


def test_a_commit_without_python_and_a_repository_without_python_have_nothing(upstream, tmp_path):
    repo, shas = upstream
    assert changes_of(repo, shas["docs"]) == InterfaceReport()
    other = GitRepo(tmp_path / "rusty")
    other.commit("one", {"src/lib.rs": "fn a() {}\n"})
    sha = other.commit("two", {"src/lib.rs": "fn b() {}\n"})
    assert changes_of(other, sha) == InterfaceReport()


def test_the_time_bound_lists_the_files_it_did_not_reach(upstream):
    repo, shas = upstream
    ticks = itertools.count(0, 10)
    report = changes_of(repo, shas["api"], seconds=25, clock=lambda: next(ticks))
    assert report.timed_out == ["src/pkg/core.py", "src/pkg/helpers.py", "src/pkg/util.py"]
    assert [c.object for c in report.changes] == ["pkg.fast_path"]


def test_a_file_past_the_size_bound_is_skipped(upstream):
    repo, shas = upstream
    report = changes_of(repo, shas["api"], max_bytes=200)
    assert report.skipped_files == ["src/pkg/core.py"]
    assert "pkg.core.func" not in [c.object for c in report.changes]


def test_the_report_round_trips_through_json(upstream):
    repo, shas = upstream
    report = changes_of(repo, shas["api"])
    assert InterfaceReport.from_dict(report.to_dict()) == report


def test_packages_are_found_at_the_top_in_src_or_named_by_a_setting():
    paths = [
        "a/__init__.py",
        "src/b/__init__.py",
        "src/b/c/d.py",
        "tests/__init__.py",
        "python/sgl/__init__.py",
    ]
    assert find_packages(paths) == [Package("a", ""), Package("b", "src/"), Package("sgl", "python/")]
    assert find_packages(paths, ["b", "deep/x"]) == [Package("b", "src/"), Package("x", "deep/")]
    pkgs = find_packages(paths)
    assert module_of("src/b/c/d.py", pkgs) == "b.c.d"
    assert module_of("src/b/__init__.py", pkgs) == "b"
    assert module_of("tests/test_a.py", pkgs) is None and module_of("a/readme.md", pkgs) is None


def test_upstream_text_in_a_change_is_one_short_line_without_backticks():
    old = 'import os\nos.getenv("A_B")\np.add_argument("--x`y", dest="q")\n'
    report = flag_env_changes({"s.py": (old, "import os\n")})
    assert [c.text for c in report.changes] == [
        "flag `--x'y` removed",
        "environment variable `A_B` no longer read",
    ]


FLASHINFER = Path(os.environ.get("FLASHINFER_CLONE", "/nonexistent"))  # a clone of flashinfer-ai/flashinfer


@pytest.mark.skipif(not (FLASHINFER / ".git").exists(), reason="set FLASHINFER_CLONE to a flashinfer clone")
def test_recent_flashinfer_commits_give_bounded_reports():
    def git(*args):
        return subprocess.run(["git", "-C", str(FLASHINFER), *args], capture_output=True, text=True).stdout

    shas = git("rev-list", "--no-merges", "-n", "3", "HEAD").split()
    paths = git("ls-tree", "-r", "--name-only", "HEAD").splitlines()
    from analysis.interfaces.commit import commit_interface_changes

    for sha in shas:
        names = git("diff", "--no-renames", "--name-only", f"{sha}^", sha).splitlines()
        names = [n for n in names if n.endswith(".py")][:10]

        def read(path, rev):
            out = subprocess.run(["git", "-C", str(FLASHINFER), "show", f"{rev}:{path}"], capture_output=True)
            return out.stdout.decode(errors="replace") if out.returncode == 0 else None

        changed = {n: (read(n, f"{sha}^"), read(n, sha)) for n in names}
        report = commit_interface_changes(changed, paths, read, f"{sha}^", sha, seconds=30)
        for change in report.changes:
            assert change.object.startswith(("flashinfer", "-")) or change.object.isupper()
            assert "\n" not in change.text and len(change.text) < 200


def test_a_new_required_dataclass_field_is_a_required_init_parameter():
    old = "from dataclasses import dataclass\n\n@dataclass\nclass Workspace:\n    size: int\n"
    new = old + "    mode: str\n"
    report = api_changes({"pkg/ws.py": (old, new)}, [Package("pkg", "")])
    assert [(c.object, c.kind) for c in report.changes] == [("pkg.ws.Workspace", "param_added_required")]


def test_an_outline_ignores_bodies_but_keeps_signatures_and_instance_attributes():
    from analysis.interfaces.outline import outline

    old = "class C:\n    def __init__(self):\n        self.size = 1\n\n    def get(self, key):\n        return key\n"
    body_only = old.replace("return key", "return key * 2")
    assert outline(old) == outline(body_only)
    assert outline(old) != outline(old.replace("self, key", "self, key, other"))
    assert outline(old) != outline(old.replace("self.size = 1", "pass"))
    assert outline("x = 1\n") == "x = 1\n"


def test_special_methods_are_public_but_module_data_dunders_are_not():
    old = '__version__ = "1.0"\n\n\nclass Kernel:\n    def __call__(self, x):\n        return x\n'
    new = '__version__ = "1.1"\n\n\nclass Kernel:\n    def __call__(self, x, stream):\n        return x\n'
    packages = find_packages(["kern/__init__.py", "kern/ops.py"])
    report = api_changes({"kern/ops.py": (old, new)}, packages)
    objects = {c.object for c in report.changes}
    assert "kern.ops.Kernel.__call__" in objects
    assert not any("__version__" in o for o in objects)


def test_a_module_that_becomes_a_package_under_the_same_name_has_not_moved():
    old = "def autotune(x):\n    return x\n\n\ndef gone():\n    pass\n"
    new = "def autotune(x):\n    return x\n"
    packages = find_packages(["fi/__init__.py", "fi/tuner.py", "fi/tuner/__init__.py"])
    report = api_changes({"fi/tuner.py": (old, None), "fi/tuner/__init__.py": (None, new)}, packages)
    assert [(c.object, c.kind) for c in report.changes] == [("fi.tuner.gone", "removed")]
