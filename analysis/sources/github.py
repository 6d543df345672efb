"""Commits from the GitHub REST API: paginated, conditional, rate-limit aware."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urlsplit

import httpx

from analysis.errors import SourceError
from analysis.models import Commit, FileChange
from analysis.sources.base import CommitRef, HttpCache, RateLimit
from analysis.sources.github_files import list_tree, read_contents
from analysis.sources.github_http import GitHubHttp, body_json
from analysis.sources.github_http import safe_text as _text

FILES_CAP = 3000  # GitHub lists at most this many files of one commit
WALK_PAGES = 500  # listing pages (100 commits each) a walk back after a rewrite reads at most
_SHA_MEDIA = "application/vnd.github.sha"


def _parse_time(s: str | None) -> datetime | None:
    return datetime.fromisoformat(s) if s else None


def _gh_time(d: datetime) -> str:
    return d.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _reach(head: str, seen: dict[str, CommitRef], known: set[str]) -> tuple[list[CommitRef], set[str]]:
    """The listed commits reachable from `head` without passing a known one, and the unlisted ones next in line."""
    reached: list[CommitRef] = []
    frontier: set[str] = set()
    todo, visited = [head], set()
    while todo:
        sha = todo.pop()
        if sha in visited or sha in known:
            continue
        visited.add(sha)
        if sha not in seen:
            frontier.add(sha)
            continue
        reached.append(seen[sha])
        todo.extend(seen[sha].parents)
    reached.sort(key=lambda r: r.committed_at, reverse=True)
    return reached, frontier


class GitHubSource:
    """Reads one repository through the GitHub REST API (github.com or GitHub Enterprise)."""

    kind = "github"

    def __init__(
        self,
        repo: str,
        cache: HttpCache,
        api_url: str = "https://api.github.com",
        token: str | None = None,
        *,
        max_wait: float = 120.0,
        client: httpx.AsyncClient | None = None,
        attempts: int = 4,
        backoff: float = 1.0,
    ):
        self.repo = repo
        self.display = repo
        self.followed: str | None = None
        self._http = GitHubHttp(
            repo, cache, api_url, token, max_wait=max_wait, client=client, attempts=attempts, backoff=backoff
        )
        self._api = self._http.api
        host = urlsplit(self._api).hostname or ""
        self._web: str | None = "https://github.com" if host == "api.github.com" else None
        self._trees: dict[str, list[str]] = {}

    @property
    def requests(self) -> int:
        """HTTP requests made so far."""
        return self._http.requests

    @property
    def rate_limit(self) -> RateLimit | None:
        """The lowest remaining request count GitHub announced in the current window, and when it resets."""
        remaining = self._http.rate_limit_remaining
        return None if remaining is None else RateLimit(remaining, self._http.rate_limit_reset)

    @property
    def max_wait(self) -> float:
        """The longest rate-limit wait (seconds) taken before giving up."""
        return self._http.max_wait

    @max_wait.setter
    def max_wait(self, seconds: float) -> None:
        self._http.max_wait = seconds

    # the Source interface ------------------------------------------------------------------------

    async def default_branch(self) -> str:
        """The repository's default branch."""
        body, _ = await self._http.page(f"{self._api}/repos/{self.repo}")
        data = json.loads(body)
        self._learn_web(data.get("html_url"), 2)
        return str(data["default_branch"])

    async def refresh(self) -> str | None:
        """Nothing to fetch: every request reads GitHub as it is now."""
        return None

    async def head(self, branch: str) -> str:
        """The SHA at the tip of `branch`."""
        sha = await self._sha(branch, f"branch {branch!r} not found in {self.repo}")
        self.followed = branch
        return sha

    async def list_window(self, branch: str, since: datetime, until: datetime | None) -> list[CommitRef]:
        """Commits on `branch` whose committer date is in [since, until), newest first."""
        params = {"sha": branch, "since": _gh_time(since), "per_page": "100"}
        if until is not None:
            params["until"] = _gh_time(until)
        url: str | None = str(httpx.URL(f"{self._api}/repos/{self.repo}/commits", params=params))
        refs: list[CommitRef] = []
        while url:
            body, url = await self._http.page(url, unknown=f"branch {branch!r} not found in {self.repo}")
            refs.extend(self._ref(item) for item in json.loads(body))
        refs = [r for r in refs if since <= r.committed_at and (until is None or r.committed_at < until)]
        return sorted(refs, key=lambda r: r.committed_at, reverse=True)

    async def compare(self, base: str, head: str) -> tuple[list[CommitRef], bool]:
        """Commits reachable from `head` but not from `base`, newest first; and whether `base` left the history.

        GitHub answers 404 when `base` is gone or shares no history with `head`: that raises UnknownRevision.
        """
        url: str | None = f"{self._api}/repos/{self.repo}/compare/{quote(base)}...{quote(head)}?per_page=100"
        refs: list[CommitRef] = []
        diverged = False
        while url:
            body, url = await self._http.page(url, unknown=f"{base} or {head} is not a commit in {self.repo}")
            data = json.loads(body)
            diverged = diverged or data.get("status") in ("diverged", "behind")
            refs.extend(self._ref(item) for item in data.get("commits") or [])
        refs.reverse()  # GitHub lists a comparison oldest first
        return refs, diverged

    async def walk_new(self, head: str, known: set[str], limit: int) -> tuple[list[CommitRef], bool]:
        """Commits reachable from `head` and from no known commit, newest first, read from the commit listing.

        Pages are read until every path from `head` has met a known commit (or the root), whatever `limit`
        is (listing 100 commits a request is cheap next to reading each); only WALK_PAGES bounds it. The
        second value says whether the walk got to the end.
        """
        params = {"sha": head, "per_page": "100"}
        url: str | None = str(httpx.URL(f"{self._api}/repos/{self.repo}/commits", params=params))
        seen: dict[str, CommitRef] = {}
        new: list[CommitRef] = []
        pages = 0
        while url and pages < WALK_PAGES:
            pages += 1
            body, url = await self._http.page(url, unknown=f"{head} is not a commit in {self.repo}")
            seen.update((r.sha, r) for r in map(self._ref, json.loads(body)))
            new, frontier = _reach(head, seen, known)
            if not frontier:
                return new, True
        return new, url is None

    async def fingerprints(self, refs: list[CommitRef]) -> dict[str, str]:
        """None ahead of reading: a GitHub commit's fingerprint is taken from its diff once read."""
        return {}

    async def list_range(self, branch: str, base: str, head: str) -> list[CommitRef]:
        """Commits reachable from `head` but not from `base`, newest first."""
        url: str | None = f"{self._api}/repos/{self.repo}/compare/{quote(base)}...{quote(head)}?per_page=100"
        refs: list[CommitRef] = []
        while url:
            body, url = await self._http.page(url, unknown=f"{base} or {head} is not a commit in {self.repo}")
            refs.extend(self._ref(item) for item in json.loads(body).get("commits") or [])
        refs.reverse()  # GitHub lists a comparison oldest first
        return refs

    async def fetch(self, sha: str) -> Commit:
        """One commit with all its files (up to GitHub's cap of 3,000) and their patches."""
        unknown = f"{sha} is not a commit in {self.repo}"
        resp = await self._http.get(
            f"{self._api}/repos/{self.repo}/commits/{quote(sha)}?per_page=300&page=1", unknown=unknown
        )
        first = body_json(resp)
        commit = self._commit(first)
        commit.files = [self._file(f) for f in first.get("files") or []]
        while url := self._http.next_page(resp):
            resp = await self._http.get(url, unknown=unknown)
            commit.files.extend(self._file(f) for f in body_json(resp).get("files") or [])
        stats = first.get("stats") or {}
        missing = commit.additions < stats.get("additions", 0) or commit.deletions < stats.get("deletions", 0)
        commit.files_truncated = len(commit.files) >= FILES_CAP or missing
        commit.total_files = None if commit.files_truncated else len(commit.files)
        return commit

    async def resolve(self, rev: str) -> str:
        """The full SHA of a SHA prefix or ref; raises UnknownRevision."""
        return await self._sha(rev, f"{rev} is not a commit in {self.repo}")

    async def read_file(self, path: str, rev: str) -> str | None:
        """The text of `path` at `rev`, None when absent there (the contents API)."""
        return await read_contents(self._http, path, rev)

    async def repo_paths(self, rev: str) -> list[str]:
        """Every file path at `rev` (the git trees API), kept per revision."""
        if rev not in self._trees:
            self._trees[rev] = await list_tree(self._http, rev)
        return self._trees[rev]

    def web_url(self, sha: str) -> str | None:
        """The commit's web page."""
        base = self._web or self._api.removesuffix("/api/v3")
        return f"{base}/{self.repo}/commit/{sha}"

    async def aclose(self) -> None:
        """Release connections (only of a client this source created)."""
        await self._http.aclose()

    # mapping -------------------------------------------------------------------------------------

    def _learn_web(self, html_url: Any, depth: int) -> None:
        """Remember the web host of a GitHub Enterprise server from an `html_url` with `depth` path segments."""
        if self._web is None and isinstance(html_url, str) and html_url.startswith(("https://", "http://")):
            self._web = html_url.rsplit("/", depth)[0]

    def _commit(self, item: dict[str, Any]) -> Commit:
        c = item.get("commit") or {}
        author = c.get("author") or {}
        committer = c.get("committer") or {}
        sha = str(item["sha"])
        self._learn_web(item.get("html_url"), 4)
        return Commit(
            repo=self.repo,
            sha=sha,
            message=_text(c.get("message")) or "",
            author_name=_text(author.get("name")) or "",
            author_email=author.get("email") or "",
            author_login=(item.get("author") or {}).get("login"),
            authored_at=_parse_time(author.get("date")),
            committed_at=_parse_time(committer.get("date")) or datetime.fromtimestamp(0, UTC),
            committer_name=_text(committer.get("name")) or "",
            parents=[p["sha"] for p in item.get("parents") or []],
            url=self.web_url(sha),
        )

    def _ref(self, item: dict[str, Any]) -> CommitRef:
        c = self._commit(item)
        return CommitRef(sha=c.sha, committed_at=c.committed_at, parents=c.parents, summary=c)

    @staticmethod
    def _file(f: dict[str, Any]) -> FileChange:
        patch = _text(f.get("patch"))
        adds, dels = int(f.get("additions") or 0), int(f.get("deletions") or 0)
        return FileChange(
            path=_text(f.get("filename")) or "",
            status=f.get("status") or "modified",
            additions=adds,
            deletions=dels,
            patch=patch,
            previous_path=_text(f.get("previous_filename")),
            binary=patch is None and adds == 0 and dels == 0,
        )

    # revisions -----------------------------------------------------------------------------------

    async def _sha(self, ref: str, unknown: str) -> str:
        url = f"{self._api}/repos/{self.repo}/commits/{quote(ref)}"
        body, _ = await self._http.page(url, _SHA_MEDIA, unknown)
        sha = body.strip()
        if len(sha) != 40:
            raise SourceError(f"GitHub answered an unexpected SHA for {ref} in {self.repo}")
        return sha
