"""Every commit reported once under real git workflows: fetch, force-push, filter-branch, renames, bad dates."""

from __future__ import annotations

import datetime as dt

import pytest

from analysis.config import PipelineConfig, SourceConfig
from analysis.pipeline import run_digest
from analysis.report import write_archive
from analysis.store.reported import get_cursor, reported_shas, rewrite_of
from analysis.store.repositories import get_repository
from storage.db import open_db
from tests.gitrepo import GitRepo

NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)


def ago(minutes: float) -> str:
    """An ISO time `minutes` before the test started."""
    return (NOW - dt.timedelta(minutes=minutes)).isoformat()


def cfg(*paths, **kw) -> PipelineConfig:
    source = SourceConfig(branch=kw.pop("branch", None), git_fetch=kw.pop("fetch", True))
    return PipelineConfig(repos=[str(p) for p in paths], source=source, **kw)


def shas(digest, i: int = 0) -> list[str]:
    return [e.commit.sha for e in digest.repos[i].entries]


@pytest.fixture
def upstream(tmp_path) -> GitRepo:
    repo = GitRepo(tmp_path / "upstream")
    repo.commit("Initial import", {"README.md": "hello\n"}, date=ago(120))
    return repo


async def test_fetched_commits_are_read_without_a_merge(upstream, tmp_path):
    clone = upstream.clone(tmp_path / "work")
    db = open_db(tmp_path / "d.db")
    first = await run_digest(db, cfg(clone.path))
    assert shas(first) == [upstream.head()]
    assert first.repos[0].followed == "origin/main"

    b = upstream.commit("Add parser", {"parser.py": "x = 1\n"}, date=ago(10))
    second = await run_digest(db, cfg(clone.path))  # the product fetches the clone itself
    assert shas(second) == [b]

    c = upstream.commit("Add lexer", {"lexer.py": "y = 2\n"}, date=ago(5))
    offline = await run_digest(db, cfg(clone.path, fetch=False))
    assert shas(offline) == []
    clone.git("fetch", "-q")  # the user fetches; nothing is merged into the local branch
    assert clone.head("main") != c
    assert shas(await run_digest(db, cfg(clone.path, fetch=False))) == [c]
    assert get_repository(db, str(clone.path)).followed == "origin/main"


async def test_force_push_and_gc_with_old_dates_lose_nothing(upstream, tmp_path):
    a = upstream.commit("Feature A", {"a.py": "a\n"}, date=ago(30))
    gone = upstream.commit("Feature B", {"b.py": "b\n"}, date=ago(20))
    clone = upstream.clone(tmp_path / "work")
    db = open_db(tmp_path / "d.db")
    assert gone in shas(await run_digest(db, cfg(clone.path)))

    upstream.reset_hard("HEAD~1")
    old = upstream.commit("Backport fix", {"fix.py": "f\n"}, date="2020-03-01T10:00:00+00:00")
    clone.git("fetch", "-q")
    clone.reset_hard("origin/main")  # the user follows the force-push, then git collects the dropped commit
    clone.gc()
    with pytest.raises(RuntimeError):
        clone.git("cat-file", "-e", gone)

    digest = await run_digest(db, cfg(clone.path))
    assert digest.repos[0].error is None
    assert shas(digest) == [old]
    [note] = digest.repos[0].notes
    assert "rewritten" in note and gone[:7] in note
    assert a in reported_shas(db, str(clone.path), "terminal")
    again = await run_digest(db, cfg(clone.path))
    assert shas(again) == [] and again.repos[0].notes == []


async def test_filter_branch_rewrite_is_named_not_reported(tmp_path):
    upstream = GitRepo(tmp_path / "upstream")
    made = upstream.many(200, date=ago(240))
    kept = upstream.clone(tmp_path / "kept")  # keeps the old objects: the cursor is there, off the branch
    collected = upstream.clone(tmp_path / "collected")  # collects them: the walk meets no known commit
    db = open_db(tmp_path / "d.db")
    first = await run_digest(db, cfg(kept.path, collected.path))
    assert sorted(shas(first, 0)) == sorted(made) == sorted(shas(first, 1))
    analyses = db.execute("select count(*) from analyses").fetchone()[0]

    upstream.rewrite_author_email("ada@example.com", "ada@new.example.com")
    fresh = upstream.commit("After the rewrite", {"late.py": "z\n"}, date=ago(1))
    rewritten = upstream.git("rev-list", "HEAD~1").split()
    collected.git("fetch", "-q")
    collected.reset_hard("origin/main")
    collected.gc()
    digest = await run_digest(db, cfg(kept.path, collected.path))

    for i, clone in enumerate((kept, collected)):
        assert shas(digest, i) == [fresh]
        assert any("200 reported commits were replaced" in n for n in digest.repos[i].notes)
        assert {rewrite_of(db, str(clone.path), s) for s in rewritten} == set(made)
    count = db.execute("select count(*) from analyses").fetchone()[0]
    assert count == analyses + 2 * 201  # each rewritten copy shares its original's analysis; one is new
    again = await run_digest(db, cfg(kept.path, collected.path))
    assert shas(again, 0) == [] == shas(again, 1)


async def test_a_renamed_default_branch_is_followed_and_noted_once(upstream, tmp_path):
    clone = upstream.clone(tmp_path / "work")
    db = open_db(tmp_path / "d.db")
    await run_digest(db, cfg(clone.path))
    upstream.git("branch", "-m", "main", "trunk")
    b = upstream.commit("On trunk", {"t.py": "t\n"}, date=ago(3))

    digest = await run_digest(db, cfg(clone.path))
    rd = digest.repos[0]
    assert rd.error is None and rd.branch == "trunk" and rd.followed == "origin/trunk"
    assert shas(digest) == [b]
    assert rd.notes == ["Now following branch trunk (was main)."]
    again = await run_digest(db, cfg(clone.path))
    assert again.repos[0].notes == [] and shas(again) == []


async def test_the_branch_setting_does_not_outlive_the_setting(upstream, tmp_path):
    upstream.branch("dev")
    d = upstream.commit("Dev only", {"d.py": "d\n"}, date=ago(4))
    upstream.checkout("main")
    m = upstream.commit("Main only", {"m.py": "m\n"}, date=ago(3))
    db = open_db(tmp_path / "d.db")

    on_dev = await run_digest(db, cfg(upstream.path, branch="dev"), target="C1")
    assert on_dev.repos[0].branch == "dev" and d in shas(on_dev)
    unset = await run_digest(db, cfg(upstream.path), target="C1")
    assert unset.repos[0].branch == "main" and shas(unset) == [m]
    assert get_repository(db, str(upstream.path)).default_branch == "main"

    bad = await run_digest(db, cfg(upstream.path, branch="nope"), target="C1")
    assert "nope" in bad.repos[0].error
    fixed = await run_digest(db, cfg(upstream.path), target="C1")
    assert fixed.repos[0].error is None and fixed.repos[0].branch == "main"


async def test_commits_dated_1970_or_2031_are_reported_and_hide_nothing(upstream, tmp_path):
    db = open_db(tmp_path / "d.db")
    first = await run_digest(db, cfg(upstream.path))
    today = NOW.date()
    y = upstream.commit("Normal work", {"y.py": "y\n"}, date=ago(2))
    epoch = upstream.commit("Clock at zero", {"e.py": "e\n"}, date="1970-01-01T00:00:00+00:00")
    future = upstream.commit("Clock far ahead", {"f.py": "f\n"}, date="2031-06-01T12:00:00+00:00")
    after = upstream.commit("Back to normal", {"z.py": "z\n"}, date=ago(1))

    cursor = await run_digest(db, cfg(upstream.path))
    assert set(shas(cursor)) == {y, epoch, future, after}
    assert not set(shas(cursor)) & set(shas(first))

    by_day = await run_digest(db, cfg(upstream.path), day=today)  # the walk goes past the 1970 commit
    assert {y, after} <= set(shas(by_day)) and upstream.head("HEAD~4") in shas(by_day)
    assert shas(await run_digest(db, cfg(upstream.path), day=dt.date(2031, 6, 1))) == [future]

    fresh = GitRepo(tmp_path / "fresh")  # a first digest includes a commit dated in the future
    ahead = fresh.commit("Dated ahead", {"a.py": "a\n"}, date="2031-06-01T12:00:00+00:00")
    assert shas(await run_digest(db, cfg(fresh.path))) == [ahead]


async def test_same_name_clones_in_two_folders_stay_apart(tmp_path):
    one = GitRepo(tmp_path / "a" / "proj")
    two = GitRepo(tmp_path / "b" / "proj")
    x = one.commit("Work in a", {"x.py": "x\n"}, date=ago(5))
    y = two.commit("Work in b", {"y.py": "y\n"}, date=ago(5))
    db = open_db(tmp_path / "d.db")
    digest = await run_digest(db, cfg(one.path, two.path))
    assert [rd.repo for rd in digest.repos] == [str(one.path), str(two.path)]
    assert [rd.name for rd in digest.repos] == ["a/proj", "b/proj"]
    assert shas(digest, 0) == [x] and shas(digest, 1) == [y]
    assert get_cursor(db, str(one.path), "terminal").sha == x
    assert get_cursor(db, str(two.path), "terminal").sha == y
    written = write_archive(digest, tmp_path / "reports")
    assert [p.relative_to(tmp_path / "reports").parts[1:3] for p in written] == [("a", "proj"), ("b", "proj")]
    assert "Work in a" in written[0].read_text() and "Work in b" in written[1].read_text()

    upstream = GitRepo(tmp_path / "c" / "proj")
    upstream.commit("Remote work", {"r.py": "r\n"}, date=ago(5))
    clone = upstream.clone(tmp_path / "d" / "engine")
    clone.git("remote", "set-url", "origin", "https://github.com/acme/engine.git")
    shown = await run_digest(db, cfg(clone.path, fetch=False))
    assert shown.repos[0].name == "acme/engine" and shown.repos[0].repo == str(clone.path)


async def test_a_bound_on_new_commits_is_said_and_the_rest_follow(tmp_path):
    repo = GitRepo(tmp_path / "big")
    repo.commit("Start", {"s.py": "s\n"}, date=ago(300))
    db = open_db(tmp_path / "d.db")
    await run_digest(db, cfg(repo.path))
    made = repo.many(12, date=ago(200))
    seen: list[str] = []
    for expected in (5, 5, 2):
        digest = await run_digest(db, cfg(repo.path, max_new_commits=5))
        assert len(shas(digest)) == expected
        seen += shas(digest)
        said = any("stops at 5 new commits" in n for n in digest.repos[0].notes)
        assert said == (expected == 5)
    assert sorted(seen) == sorted(made) and len(set(seen)) == 12
    assert seen[-2:] == made[-2:][::-1]  # the oldest first: the last digest has the newest


async def test_rows_kept_under_a_folder_name_move_to_the_clone_path(upstream, tmp_path):
    db = open_db(tmp_path / "d.db")
    db["repositories"].insert({"repo": "upstream", "kind": "git", "default_branch": "main"})
    db["cursors"].insert(
        {"repo": "upstream", "target": "terminal", "branch": "main", "sha": upstream.head(), "updated_at": ""}
    )
    b = upstream.commit("After the upgrade", {"u.py": "u\n"}, date=ago(1))
    digest = await run_digest(db, cfg(upstream.path))
    assert shas(digest) == [b]  # the old cursor carried over: nothing before it comes again
    assert get_repository(db, "upstream") is None
    assert get_cursor(db, str(upstream.path), "terminal").sha == b


async def test_a_database_from_before_reported_commits_were_kept_stops_at_stored_commits(upstream, tmp_path):
    for i in range(5):
        upstream.commit(f"Old work {i}", {f"o{i}.py": "o\n"}, date=ago(60 - i))
    clone = upstream.clone(tmp_path / "work")
    db = open_db(tmp_path / "d.db")
    await run_digest(db, cfg(clone.path))
    db.execute("delete from reported")  # what an older version left: a cursor and stored commits
    db.conn.commit()
    upstream.reset_hard("HEAD~1")
    new = upstream.commit("Replacement", {"r.py": "r\n"}, date=ago(2))
    clone.git("fetch", "-q")
    clone.reset_hard("origin/main")
    clone.gc()
    assert shas(await run_digest(db, cfg(clone.path))) == [new]


async def test_the_bound_holds_after_a_rewrite_and_the_rest_follow(tmp_path):
    repo = GitRepo(tmp_path / "big")
    root = repo.commit("Start", {"s.py": "s\n"}, date=ago(300))
    repo.commit("Dropped", {"d.py": "d\n"}, date=ago(290))
    db = open_db(tmp_path / "d.db")
    await run_digest(db, cfg(repo.path))
    repo.reset_hard(root)
    made = repo.many(7, date=ago(200))
    repo.gc()
    seen: list[str] = []
    for expected in (3, 3, 1):
        digest = await run_digest(db, cfg(repo.path, max_new_commits=3))
        seen += shas(digest)
        assert len(shas(digest)) == expected
    assert sorted(seen) == sorted(made)


async def test_a_rewrite_new_to_another_target_shares_the_analysis_made_for_the_first(tmp_path):
    from analysis.config import LLMConfig
    from tests.fakes.chat import ChatServer

    repo = GitRepo(tmp_path / "engine")
    repo.commit("Start", {"s.py": "s\n"}, date=ago(300))
    db = open_db(tmp_path / "d.db")
    with ChatServer() as chat:
        llm = LLMConfig(api_key="sk-test", base_url=chat.base_url, timeout=10)
        with_llm = cfg(repo.path, llm=llm)
        await run_digest(db, with_llm, target="C2")  # C2's cursor stays before the work below
        made = [repo.commit(f"Feature {i}", {f"f{i}.py": f"x = {i}\n"}, date=ago(100 - i)) for i in range(3)]
        told = await run_digest(db, with_llm, target="C1")
        assert set(made) <= set(shas(told))
        calls = len(chat.card_requests)
        assert calls >= 3

        repo.rewrite_author_email("ada@example.com", "ada@new.example.com")
        for_c2 = await run_digest(db, with_llm, target="C2")  # new to C2: reported, but not analyzed again
        assert len(shas(for_c2)) == 3 and not set(shas(for_c2)) & set(made)
        assert all(e.analysis.status.value == "done" for e in for_c2.repos[0].entries)
        assert len(chat.card_requests) == calls
        for_c1 = await run_digest(db, with_llm, target="C1")  # old news to C1: named, not reported
        assert shas(for_c1) == [] and len(chat.card_requests) == calls
