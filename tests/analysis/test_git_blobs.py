"""File reads of a clone: one `git cat-file --batch` process for all of them, closed with the source."""

from __future__ import annotations

import asyncio

import pytest

from analysis.errors import SourceError
from analysis.sources.git import GitSource
from tests.gitrepo import GitRepo


@pytest.fixture
def repo(tmp_path):
    r = GitRepo(tmp_path / "lib")
    r.commit("Initial import", {"pkg/__init__.py": "", "pkg/a.py": "A = 1\n", "empty.txt": ""})
    r.commit("Change a", {"pkg/a.py": "A = 2\nB = 'é'\n", "pkg/dir name/b c.py": "C = 3\n"})
    return r


async def test_many_reads_use_one_git_process_and_a_read_after_close_fails_cleanly(repo):
    src = GitSource(str(repo.path))
    head = repo.git("rev-parse", "HEAD").strip()
    first = repo.git("rev-parse", "HEAD~1").strip()
    before = src.requests
    reads = [
        src.read_file("pkg/a.py", head),
        src.read_file("pkg/a.py", first),
        src.read_file("pkg/dir name/b c.py", head),
        src.read_file("pkg/dir name/b c.py", first),  # absent at that revision
        src.read_file("empty.txt", head),
        src.read_file("pkg", head),  # a directory, not a file
        src.read_file("nowhere.py", head),
    ]
    texts = await asyncio.gather(*reads)
    assert texts == ["A = 2\nB = 'é'\n", "A = 1\n", "C = 3\n", None, "", None, None]
    for _ in range(20):
        assert await src.read_file("pkg/a.py", first) == "A = 1\n"
    assert src.requests - before == 1  # one long-lived git for every read
    await src.aclose()
    with pytest.raises(SourceError, match="closed"):
        await src.read_file("pkg/a.py", head)
    await src.aclose()  # closing twice is harmless


async def test_a_read_that_takes_too_long_stops_git_and_the_next_read_starts_another(repo):
    src = GitSource(str(repo.path))
    head = repo.git("rev-parse", "HEAD").strip()
    src._blobs._timeout = 0.0  # no read can finish in no time
    with pytest.raises(SourceError, match="longer than"):
        await src.read_file("pkg/a.py", head)
    assert src._blobs._proc is None
    src._blobs._timeout = 30.0
    assert await src.read_file("pkg/a.py", head) == "A = 2\nB = 'é'\n"
    await src.aclose()
