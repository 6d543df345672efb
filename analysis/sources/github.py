"""Commits from the GitHub REST API: paginated, conditional, rate-limit aware."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urlsplit

import httpx
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential,
    wait_random,
)

from analysis.errors import AccessDenied, RateLimited, RepoNotFound, SourceError, UnknownRevision
from analysis.models import Commit, FileChange
from analysis.progress import WAIT_KIND, WAIT_UNTIL, Phase
from analysis.redact import split_userinfo
from analysis.sources.base import CommitRef, HttpCache

FILES_CAP = 3000  # GitHub lists at most this many files of one commit
_SHA_MEDIA = "application/vnd.github.sha"
_RESET_MARGIN = 0.5  # seconds past the announced reset before retrying
_SECONDARY_RETRIES = 3
_SECONDARY_DEFAULT_WAIT = 60.0  # GitHub's advice when a secondary limit names no Retry-After
log = logging.getLogger(__name__)


def _announce_wait(what: str, delay: float, kind: Phase = Phase.WAITING) -> None:
    """One INFO line per retry or rate-limit wait; the record carries when the wait ends, for progress displays."""
    until = datetime.fromtimestamp(time.time() + delay, UTC)
    extra = {WAIT_UNTIL: until, WAIT_KIND: kind}
    log.info("%s; waiting %.0f s (until %s UTC)", what, delay, f"{until:%H:%M:%S}", extra=extra)


def _log_retry(state: RetryCallState) -> None:
    exc = state.outcome.exception() if state.outcome else None
    delay = state.next_action.sleep if state.next_action else 0.0
    _announce_wait(
        f"GitHub request failed ({type(exc).__name__}: {exc}), retry {state.attempt_number}",
        delay,
        Phase.RETRYING,
    )


class _ServerError(Exception):
    """A 5xx answer, retried like a connection error."""

    def __init__(self, response: httpx.Response):
        super().__init__(f"GitHub answered {response.status_code}")
        self.response = response


def _text(s: str | None) -> str | None:
    """`s` made safe to store: unpaired surrogates become '?'."""
    if s is None:
        return None
    try:
        s.encode("utf-8")
        return s
    except UnicodeEncodeError:
        return s.encode("utf-8", "replace").decode("utf-8")


def _when(s: str | None) -> datetime | None:
    return datetime.fromisoformat(s) if s else None


def _gh_time(d: datetime) -> str:
    return d.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _json(resp: httpx.Response) -> Any:
    """A JSON body, with undecodable bytes replaced rather than fatal."""
    return json.loads(resp.content.decode("utf-8", "replace"))


def _message(resp: httpx.Response) -> str:
    """GitHub's error message from a response body, shortened."""
    try:
        msg = str(resp.json().get("message", ""))
    except (ValueError, AttributeError):
        msg = resp.text
    return (_text(msg) or "").strip()[:200]


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
        self.requests = 0
        self.rate_limit_remaining: int | None = None
        self.rate_limit_reset: int | None = None  # epoch seconds
        self.max_wait = max_wait
        self._cache = cache
        self._api, userinfo = split_userinfo(api_url.rstrip("/"))
        self._has_token = bool(token)
        self._attempts = attempts
        self._backoff = backoff
        self._headers = {
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": "2022-11-28",
            "User-Agent": "commit-digest",
        }
        if token:
            self._headers["Authorization"] = f"Bearer {token}"
        # Credentials written into the URL are sent as Basic auth (when no token is set), never kept in URLs.
        auth = httpx.BasicAuth(*userinfo) if userinfo and not token else None
        self._own_client = client is None
        self._client = client or httpx.AsyncClient(
            base_url=self._api, headers=self._headers, timeout=30.0, auth=auth
        )
        host = urlsplit(self._api).hostname or ""
        self._web: str | None = "https://github.com" if host == "api.github.com" else None

    # the Source interface ------------------------------------------------------------------------

    async def default_branch(self) -> str:
        """The repository's default branch."""
        body, _ = await self._page(f"{self._api}/repos/{self.repo}")
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
            body, url = await self._page(url, unknown=f"branch {branch!r} not found in {self.repo}")
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
            body, url = await self._page(url, unknown=f"{base} or {head} is not a commit in {self.repo}")
            data = json.loads(body)
            diverged = diverged or data.get("status") in ("diverged", "behind")
            refs.extend(self._ref(item) for item in data.get("commits") or [])
        refs.reverse()  # GitHub lists a comparison oldest first
        return refs, diverged

    async def walk_new(self, head: str, known: set[str], limit: int) -> tuple[list[CommitRef], bool]:
        """Commits reachable from `head` and from no known commit, newest first, read from the commit listing.

        Pages are read until every path from `head` has met a known commit (or the root), and at most
        a few times `limit` commits; the second value says whether the walk got to the end.
        """
        params = {"sha": head, "per_page": "100"}
        url: str | None = str(httpx.URL(f"{self._api}/repos/{self.repo}/commits", params=params))
        seen: dict[str, CommitRef] = {}
        new: list[CommitRef] = []
        while url and len(seen) < 4 * limit + 100:
            body, url = await self._page(url, unknown=f"{head} is not a commit in {self.repo}")
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
            body, url = await self._page(url, unknown=f"{base} or {head} is not a commit in {self.repo}")
            refs.extend(self._ref(item) for item in json.loads(body).get("commits") or [])
        refs.reverse()  # GitHub lists a comparison oldest first
        return refs

    async def fetch(self, sha: str) -> Commit:
        """One commit with all its files (up to GitHub's cap of 3,000) and their patches."""
        unknown = f"{sha} is not a commit in {self.repo}"
        resp = await self._get(
            f"{self._api}/repos/{self.repo}/commits/{quote(sha)}?per_page=300&page=1", unknown=unknown
        )
        first = _json(resp)
        commit = self._commit(first)
        commit.files = [self._file(f) for f in first.get("files") or []]
        while url := self._next(resp):
            resp = await self._get(url, unknown=unknown)
            commit.files.extend(self._file(f) for f in _json(resp).get("files") or [])
        stats = first.get("stats") or {}
        missing = commit.additions < stats.get("additions", 0) or commit.deletions < stats.get("deletions", 0)
        commit.files_truncated = len(commit.files) >= FILES_CAP or missing
        commit.total_files = None if commit.files_truncated else len(commit.files)
        return commit

    async def resolve(self, rev: str) -> str:
        """The full SHA of a SHA prefix or ref; raises UnknownRevision."""
        return await self._sha(rev, f"{rev} is not a commit in {self.repo}")

    def web_url(self, sha: str) -> str | None:
        """The commit's web page."""
        base = self._web or self._api.removesuffix("/api/v3")
        return f"{base}/{self.repo}/commit/{sha}"

    async def aclose(self) -> None:
        """Release connections (only of a client this source created)."""
        if self._own_client:
            await self._client.aclose()

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
            authored_at=_when(author.get("date")),
            committed_at=_when(committer.get("date")) or datetime.fromtimestamp(0, UTC),
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

    # HTTP ----------------------------------------------------------------------------------------

    async def _sha(self, ref: str, unknown: str) -> str:
        url = f"{self._api}/repos/{self.repo}/commits/{quote(ref)}"
        body, _ = await self._page(url, _SHA_MEDIA, unknown)
        sha = body.strip()
        if len(sha) != 40:
            raise SourceError(f"GitHub answered an unexpected SHA for {ref} in {self.repo}")
        return sha

    async def _page(
        self, url: str, accept: str | None = None, unknown: str | None = None
    ) -> tuple[str, str | None]:
        """A GET answered from the HTTP cache when GitHub says 304; returns the body and the next page."""
        cached = self._cache.get(url)
        headers = {"If-None-Match": cached[0]} if cached else {}
        if accept:
            headers["Accept"] = accept
        resp = await self._get(url, headers, unknown=unknown)
        if resp.status_code == 304 and cached:
            entry = json.loads(cached[1])
            return entry["body"], entry["next"]
        body, nxt = resp.content.decode("utf-8", "replace"), self._next(resp)
        if etag := resp.headers.get("etag"):
            self._cache.put(url, etag, json.dumps({"body": body, "next": nxt}))
        return body, nxt

    def _next(self, resp: httpx.Response) -> str | None:
        """The next page's URL, only when it is on the configured API server."""
        nxt = resp.links.get("next", {}).get("url")
        if nxt and not nxt.startswith(self._api + "/"):
            raise SourceError(f"GitHub sent a next-page link outside {self._api}; refusing to follow it")
        return nxt

    async def _get(
        self, url: str, headers: dict[str, str] | None = None, *, unknown: str | None = None
    ) -> httpx.Response:
        """A GET with rate-limit waits, mapped to the source errors."""
        resp = await self._get_limited(url, headers or {})
        status = resp.status_code
        if status < 400:
            return resp
        if status == 401:
            raise AccessDenied(f"GITHUB_TOKEN is invalid or expired (GitHub answered 401 for {self.repo})")
        if status == 403:
            raise AccessDenied(
                f"GitHub denied access to {self.repo}: {_message(resp)} "
                "(the token may lack permission for this repository, or need SSO authorization)"
            )
        if status in (404, 422) and unknown and (status == 422 or await self._repo_exists()):
            raise UnknownRevision(unknown)
        if status == 404:
            hint = "check that GITHUB_TOKEN can read it" if self._has_token else "set GITHUB_TOKEN"
            raise RepoNotFound(
                f"repository {self.repo} not found at {self._api} (check the name, or {hint} for a private repository)"
            )
        raise SourceError(f"GitHub answered {status} for {urlsplit(url).path}: {_message(resp)}")

    async def _repo_exists(self) -> bool:
        """Whether the repository itself is visible, to tell a missing revision from a missing repository."""
        resp = await self._get_limited(f"{self._api}/repos/{self.repo}", {})
        return resp.status_code < 400

    async def _get_limited(self, url: str, headers: dict[str, str]) -> httpx.Response:
        """A GET that waits out rate limits: the primary one once, secondary ones a few times."""
        waited_primary = False
        for _ in range(_SECONDARY_RETRIES + 2):
            resp = await self._send(url, headers)
            if resp.status_code not in (403, 429):
                return resp
            if resp.headers.get("x-ratelimit-remaining") == "0":
                reset = self.rate_limit_reset or 0
                delay = reset - time.time() + _RESET_MARGIN
                if waited_primary or delay > self.max_wait:
                    raise self._exhausted(reset)
                waited_primary = True
            elif "retry-after" in resp.headers or resp.status_code == 429 or "secondary" in _message(resp):
                delay = self._retry_after(resp)
                if delay > self.max_wait:
                    raise RateLimited(
                        f"GitHub secondary rate limit for {self.repo}; retry in {delay:.0f} s",
                        datetime.fromtimestamp(time.time() + delay, UTC),
                    )
            else:
                return resp
            _announce_wait(f"GitHub rate limit for {self.repo}", max(delay, 0.0))
            await asyncio.sleep(max(delay, 0.0))
        raise RateLimited(f"GitHub kept rate-limiting requests for {self.repo}")

    @staticmethod
    def _retry_after(resp: httpx.Response) -> float:
        try:
            return max(float(resp.headers["retry-after"]), 0.0)
        except (KeyError, ValueError):
            return _SECONDARY_DEFAULT_WAIT

    def _exhausted(self, reset: int) -> RateLimited:
        at = datetime.fromtimestamp(reset, UTC)
        hint = "" if self._has_token else " (set GITHUB_TOKEN for 5,000 requests an hour)"
        return RateLimited(f"GitHub rate limit exhausted for {self.repo}; resets at {at:%H:%M} UTC{hint}", at)

    async def _send(self, url: str, headers: dict[str, str]) -> httpx.Response:
        """One GET, retried with backoff and jitter on connection errors, timeouts and 5xx."""
        retrying = AsyncRetrying(
            stop=stop_after_attempt(self._attempts),
            wait=wait_exponential(multiplier=self._backoff, max=self._backoff * 8)
            + wait_random(0, self._backoff),
            retry=retry_if_exception_type((httpx.TransportError, _ServerError)),
            before_sleep=_log_retry,
            reraise=True,
        )
        try:
            async for attempt in retrying:
                with attempt:
                    self.requests += 1
                    resp = await self._client.get(url, headers={**self._headers, **headers})
                    self._note_rate(resp)
                    if resp.status_code >= 500:
                        raise _ServerError(resp)
        except _ServerError as e:
            raise SourceError(
                f"GitHub answered {e.response.status_code} for {urlsplit(url).path} "
                f"{self._attempts} times; try again later"
            ) from None
        except httpx.TransportError as e:
            raise SourceError(
                f"cannot reach GitHub at {self._api} ({type(e).__name__}: {e}) after {self._attempts} attempts"
            ) from None
        return resp

    def _note_rate(self, resp: httpx.Response) -> None:
        """Keep the lowest remaining count seen in the current window (answers may arrive out of order)."""
        try:
            remaining = int(resp.headers["x-ratelimit-remaining"])
            reset = int(resp.headers.get("x-ratelimit-reset", self.rate_limit_reset or 0))
        except (KeyError, ValueError):
            return
        same_window = reset == self.rate_limit_reset and self.rate_limit_remaining is not None
        self.rate_limit_remaining = min(remaining, self.rate_limit_remaining) if same_window else remaining
        self.rate_limit_reset = reset
