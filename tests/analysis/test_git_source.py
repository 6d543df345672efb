"""GitSource against real repositories built with the git command."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from analysis.errors import RepoNotFound, SourceError, UnknownRevision
from analysis.sources.git import GitSource
from tests.gitrepo import GitRepo

SH = ZoneInfo("Asia/Shanghai")
DAY = datetime(2026, 1, 24, tzinfo=SH)


def shas(refs):
    return [r.sha for r in refs]


@pytest.fixture
def repo(tmp_path):
    r = GitRepo(tmp_path / "sglang")
    r.commit("Initial import", {"README.md": "hello\n"}, date="2026-01-20T10:00:00+08:00")
    return r


async def test_window_uses_local_day_boundaries(repo):
    before = repo.commit("Before midnight", {"a.py": "1\n"}, date="2026-01-23T23:59:59+08:00")
    first = repo.commit("At midnight", {"a.py": "2\n"}, date="2026-01-24T00:00:00+08:00")
    utc = repo.commit("Late, written in UTC", {"a.py": "3\n"}, date="2026-01-24T15:59:59+00:00")
    after = repo.commit("Next day", {"a.py": "4\n"}, date="2026-01-25T00:00:00+08:00")
    src = GitSource(str(repo.path))

    refs = await src.list_window("main", DAY, DAY + timedelta(days=1))

    assert shas(refs) == [utc, first]
    assert before not in shas(refs) and after not in shas(refs)
    assert refs[0].committed_at == datetime(2026, 1, 24, 23, 59, 59, tzinfo=SH)
    assert refs[0].committed_at.utcoffset() == timedelta(0)  # the committer's own offset is kept
    assert refs[1].parents == [before]
    assert refs[0].summary is not None and refs[0].summary.message == "Late, written in UTC"
    assert src.repo == str(repo.path) and src.display == "sglang"


async def test_window_goes_by_committer_date_not_author_date(repo):
    repo.branch("feature")
    old = repo.commit(
        "Written long ago",
        {"b.py": "x\n"},
        date="2026-01-05T09:00:00+08:00",
        author_date="2026-01-05T09:00:00+08:00",
    )
    repo.checkout("main")
    picked = repo.cherry_pick(old, date="2026-01-24T10:00:00+08:00")
    amended_out = repo.commit(
        "Authored today, committed tomorrow",
        {"c.py": "y\n"},
        author_date="2026-01-24T11:00:00+08:00",
        date="2026-01-25T08:00:00+08:00",
    )
    src = GitSource(str(repo.path))

    refs = await src.list_window("main", DAY, DAY + timedelta(days=1))

    assert shas(refs) == [picked]
    assert amended_out not in shas(refs) and old not in shas(refs)
    summary = refs[0].summary
    assert summary.authored_at == datetime(2026, 1, 5, 9, tzinfo=SH)
    assert summary.committed_at == datetime(2026, 1, 24, 10, tzinfo=SH)
    assert (summary.author_name, summary.committer_name) == ("Ada Author", "Cy Committer")


async def test_window_only_follows_the_branch(repo):
    repo.branch("side")
    side = repo.commit("Side work", {"s.py": "s\n"}, date="2026-01-24T09:00:00+08:00")
    repo.checkout("main")
    main = repo.commit("Main work", {"m.py": "m\n"}, date="2026-01-24T10:00:00+08:00")
    src = GitSource(str(repo.path))
    end = DAY + timedelta(days=1)

    assert shas(await src.list_window("main", DAY, end)) == [main]
    assert shas(await src.list_window("side", DAY, end)) == [side]
    with pytest.raises(UnknownRevision, match="nope"):
        await src.list_window("nope", DAY, end)


async def test_range_includes_merged_and_late_pushed_old_commits(repo):
    base = repo.head()
    repo.branch("topic")
    late = repo.commit("Old-dated work pushed late", {"t.py": "t\n"}, date="2025-12-01T10:00:00+08:00")
    repo.checkout("main")
    mid = repo.commit("Main change", {"m.py": "m\n"}, date="2026-01-24T09:00:00+08:00")
    merge = repo.merge("topic", "Merge topic", date="2026-01-24T12:00:00+08:00")
    src = GitSource(str(repo.path))

    refs = await src.list_range("main", base[:10], merge)

    assert shas(refs)[0] == merge
    assert set(shas(refs)) == {merge, mid, late}
    assert refs[0].parents == [mid, late]
    window = await src.list_window("main", DAY, DAY + timedelta(days=1))
    assert late not in shas(window) and set(shas(window)) == {merge, mid}
    assert await src.list_range("main", merge, merge) == []


async def test_range_with_unknown_base(repo):
    src = GitSource(str(repo.path))
    head = repo.head()
    for base in ["0" * 40, "deadbeef", "no-such-branch"]:
        with pytest.raises(UnknownRevision, match="not a commit"):
            await src.list_range("main", base, head)
    with pytest.raises(UnknownRevision):
        await src.list_range("main", "--all", head)


async def test_fetch_files_statuses_and_counts(repo):
    repo.commit(
        "Add files",
        {"old_name.py": "a\nb\nc\nd\ne\n", "gone.txt": "bye\n", "img.png": b"\x89PNG\x00\x01\x02"},
    )
    repo.rename("old_name.py", "pkg/new_name.py")
    sha = repo.commit(
        "Rename, edit and remove\n\nLonger body.\n",
        {
            "pkg/new_name.py": "a\nb\nc\nd\nE\n",
            "img.png": b"\x89PNG\x00\x09\x09\x09",
            "new.py": "x = 1\ny = 2\n",
        },
        remove=["gone.txt"],
        author=("Bo Author", "bo@example.com"),
    )
    src = GitSource(str(repo.path))

    commit = await src.fetch(sha[:8])

    assert src.requests == 1
    assert commit.sha == sha and commit.repo == str(repo.path)
    assert commit.message == "Rename, edit and remove\n\nLonger body."
    assert (commit.author_name, commit.author_email) == ("Bo Author", "bo@example.com")
    assert commit.url is None and src.web_url(sha) is None
    by_path = {f.path: f for f in commit.files}
    assert set(by_path) == {"pkg/new_name.py", "img.png", "new.py", "gone.txt"}
    assert commit.total_files == 4
    renamed = by_path["pkg/new_name.py"]
    assert (renamed.status, renamed.previous_path, renamed.additions, renamed.deletions) == (
        "renamed",
        "old_name.py",
        1,
        1,
    )
    assert renamed.patch.startswith("@@ ") and "-e\n+E" in renamed.patch
    binary = by_path["img.png"]
    assert binary.binary and binary.patch is None and binary.status == "modified"
    assert (binary.additions, binary.deletions) == (0, 0)
    assert by_path["new.py"].status == "added" and by_path["new.py"].additions == 2
    assert by_path["new.py"].patch == "@@ -0,0 +1,2 @@\n+x = 1\n+y = 2"
    assert by_path["gone.txt"].status == "removed" and by_path["gone.txt"].deletions == 1


async def test_fetch_root_and_copied(repo):
    src = GitSource(str(repo.path))
    root = await src.fetch(repo.head())
    assert root.parents == [] and [(f.path, f.status) for f in root.files] == [("README.md", "added")]

    body = "".join(f"line {i}\n" for i in range(40))
    repo.commit("Base module", {"mod.py": body})
    sha = repo.commit("Copy module", {"mod_copy.py": body, "mod.py": body + "extra\n"})
    copied = {f.path: f for f in (await src.fetch(sha)).files}["mod_copy.py"]
    assert (copied.status, copied.previous_path) == ("copied", "mod.py")


async def test_fetch_non_utf8_message_and_content(repo):
    sha = repo.commit(
        b"Caf\xe9 fix \xff\n\nbody \xe9\n", {"latin.txt": b"r\xe9sum\xe9\n", "ok.txt": "ünïcode\n"}
    )
    src = GitSource(str(repo.path))

    commit = await src.fetch(sha)

    # git itself may read an undeclared non-UTF-8 message as Latin-1; else bytes are replaced
    assert commit.title in ("Café fix ÿ", "Caf\ufffd fix \ufffd")
    assert commit.message.endswith("body \ufffd") or commit.message.endswith("body é")
    files = {f.path: f for f in commit.files}
    assert files["latin.txt"].patch == "@@ -0,0 +1 @@\n+r\ufffdsum\ufffd"
    assert not files["latin.txt"].binary
    assert files["ok.txt"].patch.endswith("+ünïcode")
    refs = await src.list_range("main", f"{sha}~1", sha)
    assert refs[0].summary.message == commit.message


async def test_fetch_merge_diffs_against_first_parent(repo):
    repo.branch("topic")
    repo.commit("Topic file", {"topic.py": "t\n"})
    repo.checkout("main")
    repo.commit("Main file", {"main.py": "m\n"})
    merge = repo.merge("topic", "Merge topic into main")
    src = GitSource(str(repo.path))

    commit = await src.fetch(merge)

    assert commit.is_merge
    assert [(f.path, f.status) for f in commit.files] == [("topic.py", "added")]


async def test_fetch_three_thousand_files_in_one_git_call(repo):
    stream = [b"commit refs/heads/main\n", b"committer Ci <ci@example.com> 1769234400 +0800\n"]
    msg = b"Generate 3000 files"
    stream += [b"data %d\n%s\n" % (len(msg), msg), b"from refs/heads/main^0\n"]
    for i in range(3000):
        content = b"value = %d\n" % i
        stream.append(
            b"M 100644 inline gen/dir%02d/file%04d.py\ndata %d\n%s\n" % (i % 30, i, len(content), content)
        )
    repo.fast_import(b"".join(stream))
    sha = repo.head("main")
    src = GitSource(str(repo.path))

    commit = await src.fetch(sha)

    assert src.requests <= 2
    assert len(commit.files) == 3000 == commit.total_files
    assert all(f.status == "added" and f.additions == 1 and f.patch for f in commit.files)
    last = {f.path: f for f in commit.files}["gen/dir29/file2999.py"]
    assert last.patch == "@@ -0,0 +1 @@\n+value = 2999"


async def test_not_a_repository(tmp_path):
    plain = tmp_path / "plain"
    plain.mkdir()
    for path in [plain, tmp_path / "missing"]:
        src = GitSource(str(path))
        with pytest.raises(RepoNotFound, match="not a git repository"):
            await src.default_branch()
        with pytest.raises(RepoNotFound):
            await src.list_window("main", DAY, DAY + timedelta(days=1))
        with pytest.raises(RepoNotFound):
            await src.fetch("0" * 40)


async def test_subdirectory_of_a_clone_is_not_a_repository(repo):
    (repo.path / "sub").mkdir()
    with pytest.raises(RepoNotFound):
        await GitSource(str(repo.path / "sub")).head("main")


async def test_resolve_unknown_and_ambiguous(repo):
    lines = []
    for i in range(1500):
        msg = b"c%d" % i
        lines.append(
            b"commit refs/heads/many\ncommitter C <c@x> %d +0000\ndata %d\n%s\n"
            % (1700000000 + i, len(msg), msg)
        )
    repo.fast_import(b"".join(lines))
    by_prefix = defaultdict(list)
    for sha in repo.git("rev-list", "many").split():
        by_prefix[sha[:4]].append(sha)
    prefix = next(p for p, group in by_prefix.items() if len(group) > 1)
    unique = next(group[0] for p, group in by_prefix.items() if len(group) == 1)
    src = GitSource(str(repo.path))

    with pytest.raises(UnknownRevision, match="ambiguous"):
        await src.resolve(prefix)
    with pytest.raises(UnknownRevision, match="not a commit"):
        await src.resolve("feedface")
    with pytest.raises(UnknownRevision):
        await src.resolve("--help")
    assert await src.resolve(unique[:12]) == unique
    assert await src.resolve("many") == repo.head("many")
    assert await src.resolve("main~0") == repo.head("main")
    with pytest.raises(UnknownRevision):
        await src.fetch("feedface")


async def test_branches_of_a_clone(repo, tmp_path):
    repo.branch("feature")
    feature = repo.commit("Feature", {"f.py": "f\n"})
    repo.checkout("main")
    clone = repo.clone(tmp_path / "clone")
    src = GitSource(str(clone.path))

    assert await src.default_branch() == "main"
    assert await src.head("feature") == feature  # only on origin
    clone.checkout(clone.head())
    assert await src.default_branch() == "main"  # detached: origin/HEAD decides
    clone.git("checkout", "-q", "-b", "local-only")
    assert await src.default_branch() == "main"  # origin/HEAD decides, whatever is checked out
    clone.git("remote", "remove", "origin")
    assert await src.default_branch() == "local-only"  # no remote: the checked-out branch
    clone.git("remote", "add", "origin", str(repo.path))

    assert src.web_url("abc") is None
    clone.git("remote", "set-url", "origin", "git@github.com:sgl-project/sglang.git")
    assert GitSource(str(clone.path)).web_url("abc") == "https://github.com/sgl-project/sglang/commit/abc"
    clone.git("remote", "set-url", "origin", "https://github.com/vllm-project/vllm")
    assert GitSource(str(clone.path)).web_url("abc") == "https://github.com/vllm-project/vllm/commit/abc"


async def test_detached_without_origin_head(repo):
    repo.checkout(repo.head())
    with pytest.raises(SourceError, match="detached"):
        await GitSource(str(repo.path)).default_branch()
