"""The team's code index and the impact of upstream interface changes on it."""

from __future__ import annotations

import itertools
import json

import pytest

from analysis.teamcode.impact import impacts
from analysis.teamcode.index import TeamIndex, build_index
from tests.analysis.upstream_api import changes_of, make_upstream

MAIN = """import os
from pkg import func as f, fast_path
import pkg.core as pc


def go():
    from pkg.core import Engine, order
    eng = Engine("m")
    eng.close()
    return pc.typed(1) + order(1, 2) + f(1) + fast_path(1, 2)


try:
    from pkg.util import shared
except ImportError:
    shared = None
"""
OTHER = """import pkg
import pkg.legacy as leg

pkg.core.run(1, block=64)
value = pkg.run(3)
leg.thing()
"""


@pytest.fixture(scope="module")
def upstream(tmp_path_factory):
    return make_upstream(tmp_path_factory.mktemp("up") / "pkg")


@pytest.fixture
def team(tmp_path):
    root = tmp_path / "team"
    files = {
        "app/main.py": MAIN,
        "app/other.py": OTHER,
        "app/broken.py": "def (:\n",
        "scripts/launch.sh": "#!/bin/sh\nexport PKG_CACHE=/tmp\npython -m pkg.cli --tp-size 2 --block 64\n",
        "deploy/config.yaml": "env:\n  - name: PKG_DEBUG\n    value: '1'\n",
        ".env": "PKG_KEEP=1\n",
        "Dockerfile": "FROM python\nENV PKG_CACHE=/x\n",
        ".venv/lib/pkg_copy.py": "import pkg\n",
    }
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def test_index_records_imports_aliases_lazy_and_guarded_with_lines(team):
    index = build_index(team, ["pkg"])
    assert index.refs["pkg"] == {
        "pkg.func": [("app/main.py", 2), ("app/main.py", 10)],
        "pkg.fast_path": [("app/main.py", 2), ("app/main.py", 10)],
        "pkg.core": [("app/main.py", 3)],
        "pkg.core.Engine": [("app/main.py", 7), ("app/main.py", 8)],
        "pkg.core.order": [("app/main.py", 7), ("app/main.py", 10)],
        "pkg.core.typed": [("app/main.py", 10)],
        "pkg.util.shared": [("app/main.py", 14)],
        "pkg": [("app/other.py", 1)],
        "pkg.legacy": [("app/other.py", 2)],
        "pkg.core.run": [("app/other.py", 4)],
        "pkg.run": [("app/other.py", 5)],
        "pkg.legacy.thing": [("app/other.py", 6)],
    }
    assert index.flags == {"--tp-size": [("scripts/launch.sh", 3)], "--block": [("scripts/launch.sh", 3)]}
    assert index.env == {
        "PKG_CACHE": [("Dockerfile", 2), ("scripts/launch.sh", 2)],
        "PKG_DEBUG": [("deploy/config.yaml", 2)],
        "PKG_KEEP": [(".env", 1)],
    }
    assert index.skipped == ["app/broken.py"] and index.stopped == ""
    assert index.files == 7
    again = TeamIndex.from_dict(json.loads(json.dumps(index.to_dict())))
    assert again.to_dict() == index.to_dict() and again.refs == index.refs and again.env == index.env


def test_index_bounds_are_reported(team):
    assert build_index(team, ["pkg"], max_files=2).stopped == "files"
    assert build_index(team, ["pkg"], max_bytes=100).stopped == "bytes"
    ticks = itertools.count(0, 10)
    assert build_index(team, ["pkg"], seconds=5, clock=lambda: next(ticks)).stopped == "seconds"


def impact_rows(found):
    return [(i.object, i.kind, i.direct, list(i.places)) for i in found]


def test_impact_of_api_breaks_direct_through_aliases_and_owner_level(upstream, team):
    repo, shas = upstream
    index = build_index(team, ["pkg"])
    found = impacts(changes_of(repo, shas["api"]).changes, index)
    assert impact_rows(found) == [
        ("pkg.fast_path", "param_removed", True, [("app/main.py", 2), ("app/main.py", 10)]),
        ("pkg.core.func", "param_removed", True, [("app/main.py", 2), ("app/main.py", 10)]),
        ("pkg.core.run", "param_default_changed", True, [("app/other.py", 4), ("app/other.py", 5)]),
        ("pkg.core.run", "param_added_required", True, [("app/other.py", 4), ("app/other.py", 5)]),
        ("pkg.core.order", "param_moved", True, [("app/main.py", 7), ("app/main.py", 10)]),
        ("pkg.core.Engine", "param_removed", True, [("app/main.py", 7), ("app/main.py", 8)]),
        ("pkg.core.Engine.close", "member_removed", False, [("app/main.py", 7), ("app/main.py", 8)]),
        ("pkg.core.typed", "return_changed", True, [("app/main.py", 10)]),
    ]
    assert found[0].change == "parameter `b` removed"
    # `import pkg.core as pc` alone meets none of the module's other changes: main.py names neither
    # `leaving` nor `opt`, and its uses of the module are indexed one by one (`pc.typed`)
    assert not {"pkg.core.leaving", "pkg.core.opt"} & {i.object for i in found}


def test_impact_of_removed_reexport_module_flags_and_environment(upstream, team):
    repo, shas = upstream
    index = build_index(team, ["pkg"])
    found = impacts(changes_of(repo, shas["reexport"]).changes, index)
    assert impact_rows(found) == [
        ("pkg.run", "removed", True, [("app/other.py", 5)]),
        ("pkg.legacy", "removed", True, [("app/other.py", 2), ("app/other.py", 6)]),
    ]
    found = impacts(changes_of(repo, shas["cli"]).changes, index)
    assert impact_rows(found) == [
        ("--tp-size", "flag_renamed", True, [("scripts/launch.sh", 3)]),
        ("PKG_CACHE", "env_removed", True, [("Dockerfile", 2), ("scripts/launch.sh", 2)]),
        ("PKG_DEBUG", "env_removed", True, [("deploy/config.yaml", 2)]),
    ]
    assert found[0].change == "flag `--tp-size` renamed to `--tensor-parallel-size`"


TEAM_PACKAGE = {
    "svc/__init__.py": "from svc._compat import fast as quick, core  # noqa: F401\nfrom .helpers import *\n",
    "svc/_compat.py": "from pkg import fast_path as fast\nimport pkg.core as core\n\n\ndef local():\n    from pkg import run\n",
    "svc/helpers.py": "from pkg.core import Engine\n__all__ = ['Engine']\n",
    "svc/service.py": (
        "from svc import quick, core\nfrom . import _compat\nfrom svc._compat import local\n\n\n"
        "def go():\n    return quick(1) + core.order(1, 2) + _compat.fast(3)\n"
    ),
    "svc/use.py": "import svc\nimport svc._compat as c\n\nsvc.quick(1)\nc.core.run(2)\nfrom svc.helpers import Engine\n",
}


@pytest.mark.parametrize("packages", [["pkg"], None])
def test_index_follows_upstream_names_reexported_by_the_teams_own_modules(tmp_path, packages):
    for name, text in TEAM_PACKAGE.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    index = build_index(tmp_path, packages)
    assert {ref: sorted(places) for ref, places in index.refs["pkg"].items()} == {
        "pkg.fast_path": [
            ("svc/__init__.py", 1),
            ("svc/_compat.py", 1),
            ("svc/service.py", 1),
            ("svc/service.py", 7),
            ("svc/use.py", 4),
        ],
        "pkg.core": [("svc/__init__.py", 1), ("svc/_compat.py", 2), ("svc/service.py", 1)],
        "pkg.core.order": [("svc/service.py", 7)],
        "pkg.core.run": [("svc/use.py", 5)],
        "pkg.core.Engine": [("svc/__init__.py", 2), ("svc/helpers.py", 1), ("svc/use.py", 6)],
        "pkg.run": [("svc/_compat.py", 6)],
    }
    assert "svc" not in index.refs and index.skipped == []


def test_a_subclass_through_the_teams_own_package_meets_its_base_and_its_overridden_method(
    upstream, tmp_path
):
    repo, shas = upstream
    (tmp_path / "svc").mkdir()
    (tmp_path / "svc/__init__.py").write_text("from pkg.core import Engine as Base  # noqa: F401\n")
    (tmp_path / "svc/layers.py").write_text(
        "from svc import Base\n\n\nclass Tuned(Base):\n    def close(self):\n        return super().close()\n"
    )
    found = impacts(changes_of(repo, shas["api"]).changes, build_index(tmp_path, None))
    places = [("svc/__init__.py", 1), ("svc/layers.py", 1), ("svc/layers.py", 4)]
    assert impact_rows(found) == [
        ("pkg.core.Engine", "param_removed", True, places),
        ("pkg.core.Engine.close", "member_removed", False, places[1:]),  # the file that overrides it
    ]


def test_owner_level_needs_the_statements_holding_the_owner_to_name_the_member(upstream, tmp_path):
    repo, shas = upstream
    (tmp_path / "app").mkdir()
    (tmp_path / "app/layers.py").write_text(
        "from pkg.core import Engine\nfrom other import Thing\n\n\n"
        "class A(Engine):\n    def step(self):\n        return 1\n\n\n"
        "class B(Thing):\n    def close(self):\n        return 2\n"
    )
    (tmp_path / "app/star.py").write_text("from pkg.core import *\n\n\ndef go():\n    return leaving()\n")
    found = impacts(changes_of(repo, shas["api"]).changes, build_index(tmp_path, ["pkg"]))
    hits = {(i.object, i.direct): i.places for i in found}
    # A holds Engine and names no `close`: B's `close` overrides another class's member
    assert ("pkg.core.Engine.close", False) not in hits
    # a star import's names are used anywhere in its file: `leaving` is, `opt` is not
    assert hits[("pkg.core.leaving", False)] == (("app/star.py", 1),)
    assert ("pkg.core.opt", False) not in hits
