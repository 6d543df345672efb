"""The same git workflows through the GitHub source: the loopback server serves real repositories made by the test."""

from __future__ import annotations

import datetime as dt

import pytest

from analysis.config import PipelineConfig, SourceConfig
from analysis.pipeline import run_digest
from analysis.store.reported import rewrite_of
from storage.db import open_db
from tests.fakes.github import FakeGitHub
from tests.gitrepo import GitRepo

NAME = "acme/engine"
NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)


def ago(minutes: float) -> str:
    return (NOW - dt.timedelta(minutes=minutes)).isoformat()


def shas(digest, i: int = 0) -> list[str]:
    assert digest.repos[i].error is None, digest.repos[i].error
    return [e.commit.sha for e in digest.repos[i].entries]


@pytest.fixture
def gh():
    with FakeGitHub() as server:
        yield server


def cfg(gh: FakeGitHub, **kw) -> PipelineConfig:
    return PipelineConfig(repos=[NAME], source=SourceConfig(github_api_url=gh.url), **kw)


async def test_compare_answers_404_for_a_vanished_base_and_nothing_is_lost(gh, tmp_path):
    up = GitRepo(tmp_path / "engine")
    up.commit("Initial import", {"README.md": "hi\n"}, date=ago(60))
    a = up.commit("Feature A", {"a.py": "a\n"}, date=ago(30))
    gone = up.commit("Feature B", {"b.py": "b\n"}, date=ago(20))
    gh.mirror(NAME, up.path)
    db = open_db(tmp_path / "d.db")
    assert {a, gone} <= set(shas(await run_digest(db, cfg(gh))))

    up.reset_hard("HEAD~1")  # force-push a commit dated long before the last run; GitHub collects B
    old = up.commit("Backport fix", {"fix.py": "f\n"}, date="2020-03-01T10:00:00+00:00")
    gh.mirror(NAME, up.path)
    digest = await run_digest(db, cfg(gh))

    assert [r.status for r in gh.requests_to(r"/compare/")][-1] == 404
    assert shas(digest) == [old]
    assert any("rewritten" in n and gone[:7] in n for n in digest.repos[0].notes)
    assert shas(await run_digest(db, cfg(gh))) == []


async def test_a_force_push_github_still_knows_is_read_through_compare(gh, tmp_path):
    up = GitRepo(tmp_path / "engine")
    up.commit("Initial import", {"README.md": "hi\n"}, date=ago(60))
    gone = up.commit("Feature B", {"b.py": "b\n"}, date=ago(20))
    gh.mirror(NAME, up.path)
    db = open_db(tmp_path / "d.db")
    await run_digest(db, cfg(gh))
    up.reset_hard("HEAD~1")
    new = up.commit("Feature B, take two", {"b.py": "b2\n"}, date=ago(10))
    gh.mirror(
        NAME, up.path, keep_unreachable=True
    )  # the old commit is still on GitHub: compare says diverged

    digest = await run_digest(db, cfg(gh))
    assert gh.requests_to(r"/compare/")[-1].status == 200
    assert shas(digest) == [new]
    assert any(gone[:7] in n for n in digest.repos[0].notes)


async def test_filter_branch_rewrite_via_github_is_named_not_reported(gh, tmp_path):
    up = GitRepo(tmp_path / "engine")
    made = up.many(60, date=ago(240))
    names = [NAME, "acme/kept"]  # the second keeps the old commits: compare says "No common ancestor"
    for name in names:
        gh.mirror(name, up.path)
    db = open_db(tmp_path / "d.db")
    both = PipelineConfig(repos=names, source=SourceConfig(github_api_url=gh.url))
    first = await run_digest(db, both)
    assert sorted(shas(first, 0)) == sorted(made) == sorted(shas(first, 1))

    up.rewrite_author_email("ada@example.com", "ada@new.example.com")
    fresh = up.commit("After the rewrite", {"late.py": "z\n"}, date=ago(1))
    gh.mirror(NAME, up.path)
    gh.mirror("acme/kept", up.path, keep_unreachable=True)
    digest = await run_digest(db, both)

    answers = [r.status for r in gh.requests_to(r"/compare/")[-2:]]
    assert answers == [404, 404]
    for i, name in enumerate(names):
        assert shas(digest, i) == [fresh]
        assert any("60 reported commits were replaced" in n for n in digest.repos[i].notes)
        assert {rewrite_of(db, name, s) for s in up.git("rev-list", "HEAD~1").split()} == set(made)


async def test_a_renamed_default_branch_on_github_is_followed(gh, tmp_path):
    up = GitRepo(tmp_path / "engine")
    up.commit("Initial import", {"README.md": "hi\n"}, date=ago(60))
    gh.mirror(NAME, up.path)
    db = open_db(tmp_path / "d.db")
    await run_digest(db, cfg(gh))
    up.git("branch", "-m", "main", "trunk")
    b = up.commit("On trunk", {"t.py": "t\n"}, date=ago(3))
    gh.mirror(NAME, up.path)
    gh.repos[NAME].branches.pop("main", None)

    digest = await run_digest(db, cfg(gh))
    assert digest.repos[0].branch == "trunk" and shas(digest) == [b]
    assert digest.repos[0].notes == ["Now following branch trunk (was main)."]


async def test_same_name_forks_archive_apart(gh, tmp_path):
    from analysis.report import write_archive

    for owner in ("alice", "bob"):
        up = GitRepo(tmp_path / owner / "proj")
        up.commit(f"Work by {owner}", {"w.py": owner}, date=ago(5))
        gh.mirror(f"{owner}/proj", up.path)
    db = open_db(tmp_path / "d.db")
    cfg2 = PipelineConfig(repos=["alice/proj", "bob/proj"], source=SourceConfig(github_api_url=gh.url))
    digest = await run_digest(db, cfg2)
    paths = write_archive(digest, tmp_path / "reports")
    year = digest.date[:4]
    assert [p.relative_to(tmp_path / "reports").as_posix() for p in paths] == [
        f"{year}/alice/proj/{digest.date}.md",
        f"{year}/bob/proj/{digest.date}.md",
    ]
    assert "alice" in paths[0].read_text() and "bob" in paths[1].read_text()


async def test_many_commits_after_a_walk_back_are_all_reported_with_the_true_count(gh, tmp_path):
    up = GitRepo(tmp_path / "engine")
    root = up.commit("Initial import", {"README.md": "hi\n"}, date=ago(600))
    gone = up.commit("Dropped", {"d.py": "d\n"}, date=ago(590))
    gh.mirror(NAME, up.path)
    db = open_db(tmp_path / "d.db")
    assert gone in shas(await run_digest(db, cfg(gh)))
    up.reset_hard(root)  # force-push: GitHub collects the dropped commit, compare answers 404
    made = up.many(250, date=ago(500))
    gh.mirror(NAME, up.path)

    seen: list[str] = []
    for run in range(14):
        digest = await run_digest(db, cfg(gh, max_new_commits=20))
        got = shas(digest)
        if run == 0:
            assert any("stops at 20 new commits; 230 more follow" in n for n in digest.repos[0].notes)
        seen += got
        if not got:
            break
    assert sorted(seen) == sorted(made) and len(seen) == 250


async def test_a_walk_back_longer_than_its_page_bound_says_what_it_did_not_read(gh, tmp_path, monkeypatch):
    from analysis.sources import github

    monkeypatch.setattr(github, "WALK_PAGES", 1)
    up = GitRepo(tmp_path / "engine")
    root = up.commit("Initial import", {"README.md": "hi\n"}, date=ago(600))
    up.commit("Dropped", {"d.py": "d\n"}, date=ago(590))
    gh.mirror(NAME, up.path)
    db = open_db(tmp_path / "d.db")
    await run_digest(db, cfg(gh))
    up.reset_hard(root)
    up.many(150, date=ago(500))
    gh.mirror(NAME, up.path)

    digest = await run_digest(db, cfg(gh, max_new_commits=20))

    notes = digest.repos[0].notes
    assert any("More than 100 commits are new" in n and "not read" in n for n in notes)
    assert any("stops at 20 new commits; 80 more follow" in n for n in notes)
