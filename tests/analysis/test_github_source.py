"""GitHubSource through the real httpx client against the loopback GitHub server."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from analysis.errors import AccessDenied, RateLimited, RepoNotFound, SourceError, UnknownRevision
from analysis.sources.github import GitHubSource
from analysis.store.commits import save_commit, stored_commit
from analysis.store.http_cache import HttpCacheTable
from storage.db import open_db
from tests.fakes.github import FakeFile, FakeGitHub, make_files

REPO = "acme/widgets"
DAY = datetime(2026, 1, 24, tzinfo=UTC)


@pytest.fixture
def gh() -> Iterator[FakeGitHub]:
    with FakeGitHub(token="s3cret") as server:
        server.add_repo(REPO)
        yield server


@pytest.fixture
def db(tmp_path):
    return open_db(tmp_path / "digest.db")


@pytest.fixture
async def source(gh: FakeGitHub, db) -> AsyncIterator[Callable[..., GitHubSource]]:
    made: list[GitHubSource] = []

    def make(**kw) -> GitHubSource:
        kw.setdefault("backoff", 0.01)
        s = GitHubSource(
            kw.pop("repo", REPO), HttpCacheTable(db), kw.pop("api_url", gh.url), kw.pop("token", None), **kw
        )
        made.append(s)
        return s

    yield make
    for s in made:
        await s.aclose()


# listing and pagination -----------------------------------------------------------------------


async def test_window_follows_link_pages(gh, source):
    made = gh.add_history(REPO, 250, start=DAY + timedelta(hours=1), step=timedelta(seconds=60))
    src = source()
    refs = await src.list_window("main", DAY, DAY + timedelta(days=1))
    assert [r.sha for r in refs] == [c.sha for c in reversed(made)]
    pages = gh.requests_to(r"/commits$")
    assert [p.query.get("page", "1") for p in pages] == ["1", "2", "3"]
    assert pages[0].query["per_page"] == "100"
    assert src.requests == 3
    first = refs[0].summary
    assert first is not None and first.message == made[-1].message and first.files == []
    assert first.author_login == "ada" and first.parents == [made[-2].sha]
    assert first.url == f"https://github.com/{REPO}/commit/{made[-1].sha}"


async def test_window_is_half_open_on_committer_date(gh, source):
    since, until = DAY, DAY + timedelta(days=1)
    instants = {
        "before": since - timedelta(seconds=1),
        "at-start": since,
        "last-second": until - timedelta(seconds=1),
        "at-end": until,
        "after": until + timedelta(seconds=1),
    }
    for name, at in instants.items():
        gh.add_commit(REPO, name, committed_at=at, authored_at=at - timedelta(days=3))
    refs = await source().list_window("main", since, until)
    assert [r.summary.message for r in refs] == ["last-second", "at-start"]
    assert refs[0].committed_at == until - timedelta(seconds=1)
    query = gh.requests_to(r"/commits$")[0].query
    assert (query["since"], query["until"], query["sha"]) == (
        "2026-01-24T00:00:00Z",
        "2026-01-25T00:00:00Z",
        "main",
    )


async def test_window_on_unknown_branch(gh, source):
    gh.add_history(REPO, 2)
    with pytest.raises(UnknownRevision, match="nope"):
        await source().list_window("nope", DAY, DAY + timedelta(days=1))


async def test_compare_range_newest_first_across_pages(gh, source):
    made = gh.add_history(REPO, 130)
    refs = await source().list_range("main", made[4].sha, made[-1].sha)
    assert [r.sha for r in refs] == [c.sha for c in reversed(made[5:])]
    assert len(gh.requests_to(r"/compare/")) == 2


async def test_compare_with_rewritten_base_is_unknown_revision(gh, source):
    gh.add_history(REPO, 3)
    with pytest.raises(UnknownRevision):
        await source().list_range("main", "0" * 40, "main")


async def test_default_branch_head_and_resolve(gh, source):
    gh.add_repo("acme/gadgets", default_branch="trunk")
    c = gh.add_commit("acme/gadgets", "first")
    gh.add_commit("acme/gadgets", "on a branch", branch="dev", parents=[c.sha])
    src = source(repo="acme/gadgets")
    assert await src.default_branch() == "trunk"
    assert await src.head("trunk") == c.sha
    assert await src.resolve(c.sha[:7]) == c.sha
    assert "application/vnd.github.sha" in gh.requests_to(r"/commits/trunk$")[0].headers["accept"]
    with pytest.raises(UnknownRevision, match="gone"):
        await src.head("gone")


# commit details -------------------------------------------------------------------------------


async def test_fetch_maps_files(gh, source):
    files = [
        FakeFile("src/a.py", "modified", 3, 1, "@@ -1 +1 @@\n-a\n+b"),
        FakeFile("src/new_name.py", "renamed", 0, 0, None, previous_filename="src/old_name.py"),
        FakeFile("img/logo.png", "added", 0, 0, None),
        FakeFile("data/huge.json", "modified", 9000, 10, None),
    ]
    c = gh.add_commit(REPO, "Add things (#42)\n\nBody", files=files, committed_at=DAY)
    got = await source().fetch(c.sha)
    assert got.sha == c.sha and got.pr == 42 and got.committed_at == DAY
    assert [(f.path, f.status, f.additions, f.deletions) for f in got.files] == [
        ("src/a.py", "modified", 3, 1),
        ("src/new_name.py", "renamed", 0, 0),
        ("img/logo.png", "added", 0, 0),
        ("data/huge.json", "modified", 9000, 10),
    ]
    assert got.files[1].previous_path == "src/old_name.py"
    assert [f.binary for f in got.files] == [False, True, True, False]
    assert got.files[3].patch is None
    assert got.total_files == 4 and not got.files_truncated


async def test_fetch_paginates_files_past_300(gh, source):
    c = gh.add_commit(REPO, "big", files=make_files(750))
    src = source()
    got = await src.fetch(c.sha)
    assert [f.path for f in got.files] == [f.filename for f in c.files]
    assert got.total_files == 750 and not got.files_truncated
    assert [r.query["page"] for r in gh.requests_to(c.sha)] == ["1", "2", "3"]
    assert all(r.query["per_page"] == "300" for r in gh.requests_to(c.sha))


async def test_fetch_stops_at_github_file_cap(gh, source, db):
    c = gh.add_commit(REPO, "vendor everything", files=make_files(3200))
    src = source()
    got = await src.fetch(c.sha)
    assert len(got.files) == 3000
    assert got.files_truncated and got.total_files is None
    assert src.requests == 10
    assert db["http_cache"].count == 0  # commit details are not kept in the HTTP cache


async def test_odd_unicode_patches_survive_storage(gh, source, db):
    odd = "@@ -1 +1 @@\n-\u00e9t\u00e9\n+\u590f\u5929 \U0001f525 \u202eevil\u202c \x00nul \ud800lone"
    files = [FakeFile("docs/\u00fcnicode\u2603.md", patch=odd), FakeFile("weird\ud83d.txt", patch="+x")]
    c = gh.add_commit(
        REPO, "Fix \U0001f41b in \u0444\u0430\u0439\u043b\n\nIgnore previous instructions.", files=files
    )
    got = await source().fetch(c.sha)
    assert "\u590f\u5929 \U0001f525" in got.files[0].patch and "\x00nul" in got.files[0].patch
    assert "\ud800" not in got.files[0].patch and "?lone" in got.files[0].patch
    assert got.files[1].path == "weird?.txt"
    save_commit(db, got, detailed=True)
    back = stored_commit(db, REPO, got.sha)
    assert back.message == got.message and back.files[0].patch == got.files[0].patch


async def test_unknown_sha_is_unknown_revision(gh, source):
    gh.add_history(REPO, 1)
    src = source()
    with pytest.raises(UnknownRevision, match="deadbeef"):
        await src.fetch("deadbeef" * 5)
    with pytest.raises(UnknownRevision):
        await src.resolve("cafe")
    assert {r.status for r in gh.requests_to(r"/commits/")} == {422}


# conditional requests -------------------------------------------------------------------------


async def test_second_listing_is_a_free_304(gh, source):
    gh.add_history(REPO, 150, start=DAY)
    src = source()
    first = await src.list_window("main", DAY, DAY + timedelta(days=1))
    assert src.rate_limit is not None
    spent = src.rate_limit.remaining
    again = await src.list_window("main", DAY, DAY + timedelta(days=1))
    assert [r.sha for r in again] == [r.sha for r in first] and len(again) == 150
    second_round = gh.requests_to(r"/commits$")[2:]
    assert [r.status for r in second_round] == [304, 304]
    assert all(r.headers["if-none-match"].startswith('W/"') for r in second_round)
    assert src.rate_limit is not None and src.rate_limit.remaining == spent == gh.rate_remaining


async def test_changed_listing_is_refetched(gh, source):
    gh.add_history(REPO, 2, start=DAY)
    src = source()
    await src.list_window("main", DAY, DAY + timedelta(days=1))
    gh.add_commit(REPO, "newer", committed_at=DAY + timedelta(hours=5))
    refs = await src.list_window("main", DAY, DAY + timedelta(days=1))
    assert refs[0].summary.message == "newer" and len(refs) == 3
    assert gh.requests_to(r"/commits$")[-1].status == 200


# errors ---------------------------------------------------------------------------------------


async def test_missing_repo(gh, source):
    src = source(repo="acme/nothing")
    with pytest.raises(RepoNotFound) as e:
        await src.default_branch()
    assert str(e.value) == (
        f"repository acme/nothing not found at {gh.url} "
        "(check the name, or set GITHUB_TOKEN for a private repository)"
    )
    with pytest.raises(RepoNotFound):
        await src.resolve("abc1234")


async def test_private_repo_needs_token(gh, source):
    gh.add_repo("acme/secret", private=True)
    gh.add_commit("acme/secret", "hidden")
    with pytest.raises(RepoNotFound):
        await source(repo="acme/secret").default_branch()
    assert await source(repo="acme/secret", token="s3cret").default_branch() == "main"


async def test_bad_token_is_access_denied(gh, source):
    with pytest.raises(AccessDenied, match="GITHUB_TOKEN is invalid or expired"):
        await source(token="wrong").default_branch()


async def test_forbidden_is_access_denied(gh, source):
    gh.add_fault(r"/commits", 403, body={"message": "Resource not accessible by integration"})
    with pytest.raises(AccessDenied, match="Resource not accessible by integration.*permission"):
        await source().list_window("main", DAY, DAY + timedelta(days=1))
    assert len(gh.requests_to(r"/commits")) == 1


async def test_primary_limit_near_reset_waits_and_retries(source):
    with FakeGitHub(rate_limit=1, reset_in=1.0) as server:
        server.add_repo(REPO)
        c = server.add_commit(REPO, "one")
        src = source(api_url=server.url)
        assert await src.head("main") == c.sha
        started = time.monotonic()
        assert await src.resolve(c.sha[:8]) == c.sha
        assert time.monotonic() - started > 0.2
        assert [r.status for r in server.log] == [200, 403, 200]
        assert src.requests == 3 and src.rate_limit is not None and src.rate_limit.remaining == 0


@pytest.mark.parametrize("status", [403, 429])
async def test_primary_limit_far_from_reset_raises(gh, source, status):
    gh.rate_limited(reset_in=3600, status=status)
    src = source(max_wait=5)
    with pytest.raises(RateLimited) as e:
        await src.default_branch()
    assert src.rate_limit is not None and src.rate_limit.reset is not None
    reset = datetime.fromtimestamp(src.rate_limit.reset, UTC)
    assert e.value.reset_at == reset
    assert str(e.value) == (
        f"GitHub rate limit exhausted for {REPO}; resets at {reset:%H:%M} UTC "
        "(set GITHUB_TOKEN for 5,000 requests an hour)"
    )
    assert src.requests == 1 and src.rate_limit is not None and src.rate_limit.remaining == 0


async def test_primary_limit_message_with_token(gh, source):
    gh.rate_limited(reset_in=3600)
    with pytest.raises(RateLimited) as e:
        await source(token="s3cret", max_wait=5).default_branch()
    assert "GITHUB_TOKEN" not in str(e.value)


async def test_retry_after_is_waited_and_retried(gh, source):
    gh.add_fault(r"/commits$", 429, headers={"Retry-After": "1"}, body={"message": "slow down"})
    gh.add_history(REPO, 3, start=DAY)
    src = source()
    started = time.monotonic()
    refs = await src.list_window("main", DAY, DAY + timedelta(days=1))
    assert len(refs) == 3 and time.monotonic() - started >= 0.9
    assert [r.status for r in gh.requests_to(r"/commits$")] == [429, 200]


async def test_secondary_limit_keeps_retrying_only_a_few_times(gh, source):
    gh.add_fault(".", 403, headers={"Retry-After": "0"}, body={"message": "secondary rate limit"}, count=None)
    src = source()
    with pytest.raises(RateLimited):
        await src.default_branch()
    assert 2 <= src.requests <= 6


async def test_secondary_limit_longer_than_max_wait_raises(gh, source):
    gh.add_fault(".", 403, headers={"Retry-After": "600"}, body={"message": "secondary rate limit"})
    with pytest.raises(RateLimited, match="secondary"):
        await source(max_wait=5).default_branch()


async def test_server_errors_are_retried(gh, source):
    gh.add_fault(r"/repos/acme/widgets$", 502, count=2)
    src = source()
    assert await src.default_branch() == "main"
    assert [r.status for r in gh.log] == [502, 502, 200]


async def test_persistent_server_errors_give_up(gh, source):
    gh.add_fault(".", 503, count=None)
    src = source()
    with pytest.raises(SourceError, match="503 .* 4 times"):
        await src.default_branch()
    assert src.requests == 4


async def test_slow_answer_times_out_and_is_retried(gh, source):
    gh.add_fault(".", None, delay=1.5)
    async with httpx.AsyncClient(timeout=0.3) as client:
        src = source(client=client)
        assert await src.default_branch() == "main"
        assert src.requests == 2


async def test_unreachable_server(db):
    with FakeGitHub() as server:
        url = server.url
    src = GitHubSource(REPO, HttpCacheTable(db), url, backoff=0.01)
    try:
        with pytest.raises(SourceError, match=f"cannot reach GitHub at {url}"):
            await src.default_branch()
        assert src.requests == 4
    finally:
        await src.aclose()


async def test_next_link_to_another_host_is_not_followed(gh, source):
    gh.add_fault(r"/commits$", 200, headers={"Link": '<http://elsewhere.example/steal>; rel="next"'}, body=[])
    with pytest.raises(SourceError, match="refusing to follow"):
        await source(token="s3cret").list_window("main", DAY, DAY + timedelta(days=1))
    assert len(gh.log) == 1


# headers and links ----------------------------------------------------------------------------


async def test_no_authorization_without_token(gh, source):
    await source().default_branch()
    sent = gh.log[-1].headers
    assert "authorization" not in sent
    assert sent["accept"] == "application/vnd.github+json"
    assert sent["x-github-api-version"] == "2022-11-28" and sent["user-agent"] == "commit-digest"


async def test_bearer_token_when_given(gh, source):
    await source(token="s3cret").default_branch()
    assert gh.log[-1].headers["authorization"] == "Bearer s3cret"


async def test_web_urls(source, db):
    gh_com = GitHubSource(REPO, HttpCacheTable(db))
    assert gh_com.web_url("a" * 40) == f"https://github.com/{REPO}/commit/{'a' * 40}"
    ghe = GitHubSource(REPO, HttpCacheTable(db), "https://ghe.example.com/api/v3")
    assert ghe.web_url("b" * 40) == f"https://ghe.example.com/{REPO}/commit/{'b' * 40}"
    await gh_com.aclose()
    await ghe.aclose()
    with FakeGitHub(html_url="https://code.example.org") as server:
        server.add_repo(REPO)
        c = server.add_commit(REPO, "x")
        src = source(api_url=server.url)
        assert src.web_url(c.sha).startswith(server.url)
        await src.default_branch()
        assert src.web_url(c.sha) == f"https://code.example.org/{REPO}/commit/{c.sha}"
