"""Clones of unusual shapes read through the pipeline: shallow, partial, odd remotes, hung origins, odd bytes."""

from __future__ import annotations

import asyncio
import datetime as dt
import shutil
import socket
import threading
import time

import pytest

from analysis.config import PipelineConfig, SourceConfig
from analysis.errors import AmbiguousRevision, RepoNotFound, UnknownRevision
from analysis.pipeline import run_digest
from analysis.sources.git import GitSource
from storage.db import open_db
from tests.gitrepo import GitRepo

NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)


def ago(minutes: float) -> str:
    """An ISO time `minutes` before the test started."""
    return (NOW - dt.timedelta(minutes=minutes)).isoformat()


def cfg(path, **source) -> PipelineConfig:
    return PipelineConfig(repos=[str(path)], source=SourceConfig(**source))


def shas(digest) -> list[str]:
    assert digest.repos[0].error is None, digest.repos[0].error
    return [e.commit.sha for e in digest.repos[0].entries]


@pytest.fixture
def upstream(tmp_path) -> GitRepo:
    repo = GitRepo(tmp_path / "upstream")
    big = "".join(f"line {i}\n" for i in range(1500))
    repo.commit("Initial import", {"README.md": "hello\n", "big.txt": big}, date=ago(120))
    repo.commit("Second", {"src/core.py": "x = 1\n"}, date=ago(90))
    repo.git("config", "uploadpack.allowFilter", "true")
    return repo


async def test_a_shallow_clone_reports_only_what_it_can_see_and_says_it_is_shallow(upstream, tmp_path):
    tip = upstream.commit("Third", {"src/core.py": "x = 2\n"}, date=ago(60))
    clone = (
        GitRepo(tmp_path / "shallow", init=False)
        if upstream.git("clone", "-q", "--depth", "1", f"file://{upstream.path}", str(tmp_path / "shallow"))
        == ""
        else None
    )
    db = open_db(tmp_path / "d.db")

    first = await run_digest(db, cfg(clone.path))

    assert tip not in shas(first)  # the grafted tip is never diffed against the empty tree
    assert any("shallow clone" in n for n in first.repos[0].notes)
    src = GitSource(str(clone.path))
    grafted = await src.fetch(tip)
    assert grafted.files == [] and grafted.files_truncated
    fresh = upstream.commit("Fourth", {"src/core.py": "x = 3\n"}, date=ago(5))
    again = await run_digest(db, cfg(clone.path))
    assert shas(again) == [fresh]
    files = again.repos[0].entries[0].commit.files
    assert [(f.path, f.additions, f.deletions) for f in files] == [("src/core.py", 1, 1)]


async def test_a_symlink_turned_into_a_file_keeps_every_other_hunk(tmp_path):
    repo = GitRepo(tmp_path / "links")
    (repo.path / "target.cfg").write_text("a = 1\n")
    (repo.path / "config.cfg").symlink_to("target.cfg")
    repo.commit("Link the config", {"src/core.py": "x = 1\n"})
    (repo.path / "config.cfg").unlink()
    sha = repo.commit("Own config", {"config.cfg": "a = 2\n", "src/core.py": "x = 2\n"})

    commit = await GitSource(str(repo.path)).fetch(sha)

    files = {f.path: f for f in commit.files}
    assert set(files) == {"config.cfg", "src/core.py"}
    assert files["src/core.py"].patch == "@@ -1 +1 @@\n-x = 1\n+x = 2"
    assert files["config.cfg"].status == "changed"
    assert files["config.cfg"].patch is not None and "+a = 2" in files["config.cfg"].patch


async def test_a_blobless_clone_whose_origin_is_gone_lists_what_it_has(upstream, tmp_path):
    third = upstream.commit("Third", {"src/core.py": "x = 2\n"}, date=ago(60))
    path = tmp_path / "blobless"
    upstream.git("clone", "-q", "--filter=blob:none", f"file://{upstream.path}", str(path))
    shutil.rmtree(upstream.path)
    db = open_db(tmp_path / "d.db")

    digest = await run_digest(db, cfg(path))

    listed = shas(digest)
    assert len(listed) == 3 and third in listed
    notes = " ".join(digest.repos[0].notes)
    assert "could not fetch origin" in notes and "partial clone" in notes
    by_sha = {e.commit.sha: e.commit for e in digest.repos[0].entries}
    # "x = 1" of src/core.py was never received: the two commits touching it list the file without a diff
    for sha in listed[:2]:
        assert [(f.path, f.patch) for f in by_sha[sha].files] == [("src/core.py", None)]
    first = by_sha[listed[-1]]  # the checkout brought these contents: the diff is there
    assert {f.path for f in first.files} == {"README.md", "big.txt"} and all(f.patch for f in first.files)


async def test_a_clone_whose_only_remote_is_upstream_follows_it(upstream, tmp_path):
    path = tmp_path / "work"
    upstream.git("clone", "-q", "-o", "upstream", str(upstream.path), str(path))
    db = open_db(tmp_path / "d.db")
    await run_digest(db, cfg(path))
    fresh = upstream.commit("After the clone", {"n.py": "n\n"}, date=ago(3))

    digest = await run_digest(db, cfg(path))

    assert shas(digest) == [fresh]
    assert digest.repos[0].followed == "upstream/main"


async def test_a_clone_tracking_one_of_two_remotes_follows_the_tracked_one(upstream, tmp_path):
    other = GitRepo(tmp_path / "other")
    other.commit("Elsewhere", {"e.py": "e\n"}, date=ago(100))
    path = tmp_path / "work"
    upstream.git("clone", "-q", "-o", "upstream", str(upstream.path), str(path))
    work = GitRepo(path, init=False)
    work.git("remote", "add", "origin", str(other.path))
    db = open_db(tmp_path / "d.db")
    await run_digest(db, cfg(path))
    fresh = upstream.commit("Upstream work", {"u.py": "u\n"}, date=ago(3))

    digest = await run_digest(db, cfg(path))

    assert shas(digest) == [fresh] and digest.repos[0].followed == "upstream/main"


async def test_a_clone_without_a_remote_says_so_in_one_line(tmp_path, caplog):
    repo = GitRepo(tmp_path / "alone")
    made = repo.commit("Local work", {"a.py": "a\n"}, date=ago(5))

    with caplog.at_level("INFO", logger="analysis.sources.git"):
        digest = await run_digest(open_db(tmp_path / "d.db"), cfg(repo.path))

    assert shas(digest) == [made]
    said = [r.getMessage() for r in caplog.records if "remote" in r.getMessage()]
    assert said == ["alone has no remote to fetch: reading its local branches"]


def _silent_server() -> tuple[socket.socket, list[socket.socket], threading.Event]:
    """A server on 127.0.0.1 that accepts connections and never answers."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen()
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        srv.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(srv.accept()[0])
            except OSError:
                continue

    threading.Thread(target=accept, daemon=True).start()
    return srv, held, stop


async def test_a_fetch_from_an_origin_that_never_answers_is_cut_off_and_the_run_goes_on(upstream, tmp_path):
    clone = upstream.clone(tmp_path / "work")
    srv, held, stop = _silent_server()
    try:
        port = srv.getsockname()[1]
        clone.git("remote", "set-url", "origin", f"http://127.0.0.1:{port}/acme/engine.git")
        started = time.monotonic()
        digest = await asyncio.wait_for(
            run_digest(open_db(tmp_path / "d.db"), cfg(clone.path, git_fetch_timeout=2.0)), 60
        )
        took = time.monotonic() - started
        assert held, "git never connected"
    finally:
        stop.set()
        for s in held:
            s.close()
        srv.close()
    assert took < 30
    assert len(shas(digest)) == 2  # what the clone already had
    assert any("could not fetch origin" in n and "2 s" in n for n in digest.repos[0].notes)


async def test_latin1_messages_and_names_and_distinct_odd_file_names(tmp_path):
    repo = GitRepo(tmp_path / "bytes")
    repo.commit("Start", {"s.txt": "s\n"})
    (repo.path / "caf\xe9.txt".encode("latin-1").decode("utf-8", "surrogateescape")).write_bytes(b"1\n")
    (repo.path / "caf\xe8.txt".encode("latin-1").decode("utf-8", "surrogateescape")).write_bytes(b"2\n")
    sha = repo.commit(b"R\xe9sum\xe9 des changements\n", author=("Jos\xe9 M\xfcller", "jm@example.com"))

    src = GitSource(str(repo.path))
    commit = await src.fetch(sha)
    listed = (await src.describe([sha]))[0].summary

    assert commit.title == "Résumé des changements" == listed.title
    assert commit.author_name == "Jos\xc3\xa9 M\xc3\xbcller".encode("latin-1").decode("utf-8")
    names = sorted(f.path for f in commit.files)
    assert names == ["caf\\xe8.txt", "caf\\xe9.txt"]


async def test_failures_are_told_apart_by_exit_code_not_text(upstream, tmp_path):
    src = GitSource(str(upstream.path))
    with pytest.raises(UnknownRevision, match="not a commit"):
        await src.resolve("feedface")
    with pytest.raises(UnknownRevision):
        await src.fetch("feedface" * 5)
    assert await src.resolve(upstream.head()[:10]) == upstream.head()
    with pytest.raises(RepoNotFound):
        await GitSource(str(tmp_path / "nowhere")).head("main")
    assert not isinstance(UnknownRevision("x"), AmbiguousRevision)
