"""The HTTP side of the GitHub source: retries, rate-limit waits, conditional GETs and error mapping."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

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
from analysis.progress import WAIT_KIND, WAIT_UNTIL, Phase
from analysis.redact import split_userinfo
from analysis.sources.base import HttpCache

_RESET_MARGIN = 0.5  # seconds past the announced reset before retrying
_SECONDARY_RETRIES = 3
_SECONDARY_DEFAULT_WAIT = 60.0  # GitHub's advice when a secondary limit names no Retry-After
# Waits are announced under the source's name, where log filters and progress displays look for them.
log = logging.getLogger("analysis.sources.github")


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


class _ServerError(SourceError):
    """A 5xx answer, retried like a connection error."""

    def __init__(self, response: httpx.Response):
        super().__init__(f"GitHub answered {response.status_code}")
        self.response = response


def safe_text(s: str | None) -> str | None:
    """`s` made safe to store: unpaired surrogates become '?'."""
    if s is None:
        return None
    try:
        s.encode("utf-8")
        return s
    except UnicodeEncodeError:
        return s.encode("utf-8", "replace").decode("utf-8")


def body_json(resp: httpx.Response) -> Any:
    """A JSON body, with undecodable bytes replaced rather than fatal."""
    return json.loads(resp.content.decode("utf-8", "replace"))


def _message(resp: httpx.Response) -> str:
    """GitHub's error message from a response body, shortened."""
    try:
        msg = str(resp.json().get("message", ""))
    except (ValueError, AttributeError):
        msg = resp.text
    return (safe_text(msg) or "").strip()[:200]


class GitHubHttp:
    """GETs against one repository's API server, counted, retried, rate-limit aware and mapped to source errors."""

    def __init__(
        self,
        repo: str,
        cache: HttpCache,
        api_url: str,
        token: str | None,
        *,
        max_wait: float,
        client: httpx.AsyncClient | None,
        attempts: int,
        backoff: float,
    ):
        self.repo = repo
        self.requests = 0
        self.rate_limit_remaining: int | None = None
        self.rate_limit_reset: int | None = None  # epoch seconds
        self.max_wait = max_wait
        self._cache = cache
        self.api, userinfo = split_userinfo(api_url.rstrip("/"))
        self.has_token = bool(token)
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
            base_url=self.api, headers=self._headers, timeout=30.0, auth=auth
        )

    async def aclose(self) -> None:
        """Release connections (only of a client created here)."""
        if self._own_client:
            await self._client.aclose()

    async def page(
        self, url: str, accept: str | None = None, unknown: str | None = None
    ) -> tuple[str, str | None]:
        """A GET answered from the HTTP cache when GitHub says 304; returns the body and the next page."""
        cached = self._cache.get(url)
        headers = {"If-None-Match": cached[0]} if cached else {}
        if accept:
            headers["Accept"] = accept
        resp = await self.get(url, headers, unknown=unknown)
        if resp.status_code == 304 and cached:
            entry = json.loads(cached[1])
            return entry["body"], entry["next"]
        body, nxt = resp.content.decode("utf-8", "replace"), self.next_page(resp)
        if etag := resp.headers.get("etag"):
            self._cache.put(url, etag, json.dumps({"body": body, "next": nxt}))
        return body, nxt

    async def page_or_none(self, url: str, accept: str | None = None, key: str | None = None) -> str | None:
        """A conditional GET like `page` (cached under `key`, default the URL), None when GitHub answers 404."""
        key = key or url
        cached = self._cache.get(key)
        headers = {"If-None-Match": cached[0]} if cached else {}
        if accept:
            headers["Accept"] = accept
        resp = await self._get_limited(url, headers)
        if resp.status_code == 404:
            return None
        if resp.status_code == 304 and cached:
            return str(json.loads(cached[1])["body"])
        if resp.status_code >= 400:
            resp = await self.get(url, headers)  # maps the refusal to its source error
        body = resp.content.decode("utf-8", "replace")
        if etag := resp.headers.get("etag"):
            self._cache.put(key, etag, json.dumps({"body": body, "next": None}))
        return body

    def next_page(self, resp: httpx.Response) -> str | None:
        """The next page's URL, only when it is on the configured API server."""
        nxt = resp.links.get("next", {}).get("url")
        if nxt and not nxt.startswith(self.api + "/"):
            raise SourceError(f"GitHub sent a next-page link outside {self.api}; refusing to follow it")
        return nxt

    async def get(
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
            hint = "check that GITHUB_TOKEN can read it" if self.has_token else "set GITHUB_TOKEN"
            raise RepoNotFound(
                f"repository {self.repo} not found at {self.api} (check the name, or {hint} for a private repository)"
            )
        raise SourceError(f"GitHub answered {status} for {urlsplit(url).path}: {_message(resp)}")

    async def _repo_exists(self) -> bool:
        """Whether the repository itself is visible, to tell a missing revision from a missing repository."""
        resp = await self._get_limited(f"{self.api}/repos/{self.repo}", {})
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
        hint = "" if self.has_token else " (set GITHUB_TOKEN for 5,000 requests an hour)"
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
                f"cannot reach GitHub at {self.api} ({type(e).__name__}: {e}) after {self._attempts} attempts"
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
