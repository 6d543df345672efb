"""A loopback GitHub REST server: the subset of the API commit-digest reads, with scriptable faults."""

from __future__ import annotations

import base64
import hashlib
import json
import math
import re
import subprocess
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlencode, urlsplit

from tests.gitrepo import git_env

FILES_PER_PAGE = 300
FILES_CAP = 3000
_BASE_TIME = datetime(2026, 1, 24, tzinfo=UTC)
CONTENTS_LIMIT = 1_000_000  # files past this size come without content (`encoding: none`), as on GitHub
_CONTENTS_DOCS = "https://docs.github.com/rest/repos/contents#get-repository-content"
_COMPARE_DOCS = "https://docs.github.com/rest/commits/commits#compare-two-commits"


@dataclass
class FakeFile:
    """One file of a commit, as the commit detail lists it."""

    filename: str
    status: str = "modified"
    additions: int = 1
    deletions: int = 0
    patch: str | None = "@@ -1 +1 @@\n-old\n+new"
    previous_filename: str | None = None


@dataclass
class FakeCommit:
    """A commit in the fake repository."""

    sha: str
    message: str
    committed_at: datetime
    parents: list[str] = field(default_factory=list)
    files: list[FakeFile] = field(default_factory=list)
    author_name: str = "Ada Lovelace"
    author_email: str = "ada@example.com"
    author_login: str | None = "ada"
    authored_at: datetime | None = None
    committer_name: str = "GitHub"
    tree: dict[str, bytes] | None = None  # every file at this commit (mirrored repositories), path -> content


@dataclass
class FakeRepo:
    """A repository: its default branch, branch heads and commits by SHA."""

    full_name: str
    default_branch: str = "main"
    private: bool = False
    branches: dict[str, str] = field(default_factory=dict)
    commits: dict[str, FakeCommit] = field(default_factory=dict)
    path: Path | None = None  # the git repository a mirror reads, for tarballs


@dataclass
class Fault:
    """A scripted answer for requests whose path matches `path` (a regex searched in the path)."""

    path: str
    status: int | None = None  # None: answer normally, after `delay`
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = None
    delay: float = 0.0
    count: int | None = 1  # None: forever
    method: str = "GET"
    hits: int = 0


@dataclass
class LoggedRequest:
    """One request the server received, and the status it answered."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    status: int = 0


def iso(d: datetime) -> str:
    """GitHub's timestamp format: UTC with a Z."""
    return d.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def make_files(n: int, *, prefix: str = "src/file", lines: int = 3) -> list[FakeFile]:
    """`n` modified files with small patches."""
    patch = f"@@ -1,1 +1,{lines} @@\n" + "".join(f"+line {i}\n" for i in range(lines))
    return [FakeFile(f"{prefix}{i:05d}.py", additions=lines, deletions=0, patch=patch) for i in range(n)]


class FakeGitHub:
    """A threaded HTTP server on 127.0.0.1 speaking enough of the GitHub REST API for commit-digest."""

    def __init__(
        self,
        *,
        rate_limit: int = 5000,
        reset_in: float = 3600.0,
        token: str | None = None,
        html_url: str = "https://github.com",
        max_per_page: int = 100,
    ):
        self.rate_limit = rate_limit
        self.rate_remaining = rate_limit
        self.rate_reset = math.ceil(time.time() + reset_in)
        self.reset_in = reset_in
        self.token = token
        self.html_url = html_url.rstrip("/")
        self.max_per_page = max_per_page
        self.tree_limit = 100_000  # entries a recursive tree lists before `truncated: true`
        self.contents_served = 0  # contents requests answered (304s included)
        self.repos: dict[str, FakeRepo] = {}
        self.faults: list[Fault] = []
        self.log: list[LoggedRequest] = []
        self.lock = threading.Lock()
        self._counter = 0
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # lifecycle -----------------------------------------------------------------------------------

    def start(self) -> FakeGitHub:
        """Start serving on a free port."""
        handler = type("Handler", (_Handler,), {"fake": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self._server.block_on_close = False
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving."""
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeGitHub:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """The base URL, e.g. http://127.0.0.1:54321."""
        assert self._server, "server not started"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    # the model -----------------------------------------------------------------------------------

    def add_repo(self, full_name: str, default_branch: str = "main", *, private: bool = False) -> FakeRepo:
        """Create an empty repository."""
        repo = FakeRepo(full_name, default_branch, private)
        self.repos[full_name] = repo
        return repo

    def add_commit(
        self,
        full_name: str,
        message: str,
        *,
        committed_at: datetime | None = None,
        files: list[FakeFile] | None = None,
        branch: str | None = None,
        parents: list[str] | None = None,
        sha: str | None = None,
        **meta: Any,
    ) -> FakeCommit:
        """Add a commit on top of `branch` (default branch by default) and move the branch to it."""
        repo = self.repos[full_name]
        branch = branch or repo.default_branch
        with self.lock:
            self._counter += 1
            n = self._counter
        if parents is None:
            parents = [repo.branches[branch]] if branch in repo.branches else []
        c = FakeCommit(
            sha=sha or hashlib.sha1(f"{full_name}:{n}:{message}".encode()).hexdigest(),
            message=message,
            committed_at=committed_at or _BASE_TIME + timedelta(minutes=n),
            parents=parents,
            files=files if files is not None else make_files(1),
            **meta,
        )
        repo.commits[c.sha] = c
        repo.branches[branch] = c.sha
        return c

    def add_history(
        self,
        full_name: str,
        n: int,
        *,
        files_per_commit: int = 1,
        start: datetime = _BASE_TIME,
        step: timedelta = timedelta(minutes=1),
        branch: str | None = None,
    ) -> list[FakeCommit]:
        """`n` synthetic commits, oldest first, `step` apart from `start`, each touching `files_per_commit` files."""
        return [
            self.add_commit(
                full_name,
                f"Change {i}: update module {i % 17}",
                committed_at=start + i * step,
                files=make_files(files_per_commit, prefix=f"pkg{i % 7}/mod{i}_"),
                branch=branch,
            )
            for i in range(n)
        ]

    def mirror(self, full_name: str, path: Path, *, keep_unreachable: bool = False) -> FakeRepo:
        """Serve the git repository at `path` as `full_name`: its branches, HEAD and every commit they reach.

        Called again after a force-push, commits no branch reaches are dropped (as after GitHub's gc) unless
        `keep_unreachable`.
        """
        git = ["git", "-C", str(path), "-c", "core.quotepath=off"]
        env = git_env()

        def run(*args: str) -> str:
            return subprocess.run([*git, *args], env=env, capture_output=True, check=True).stdout.decode()

        head = run("symbolic-ref", "--short", "HEAD").strip()
        branches = dict(
            line.split(" ", 1)[::-1]
            for line in run(
                "for-each-ref", "--format=%(objectname) %(refname:short)", "refs/heads"
            ).splitlines()
        )
        repo = self.repos.get(full_name) or self.add_repo(full_name, head)
        repo.default_branch, repo.branches, repo.path = head, branches, path
        fmt = "%x01%H%x00%P%x00%an%x00%ae%x00%aI%x00%cn%x00%cI%x00%B%x00"
        commits = {}
        for rec in run("log", "--branches", f"--format={fmt}").split("\x01")[1:]:
            sha, parents, an, ae, ad, cn, cd, msg, _ = rec.split("\x00")
            commits[sha] = FakeCommit(
                sha,
                msg.rstrip("\n"),
                datetime.fromisoformat(cd),
                parents.split(),
                [],
                an,
                ae,
                None,
                datetime.fromisoformat(ad),
                cn,
            )
        for rec in run(
            "log", "--branches", "--format=%x01%H", "-p", "--numstat", "--no-color", "--root"
        ).split("\x01")[1:]:
            sha, _, body = rec.partition("\n")
            commits[sha].files = _mirrored_files(body)
        for sha, c in commits.items():
            names = run("ls-tree", "-r", "-z", "--name-only", sha).split("\0")
            c.tree = {
                n: subprocess.run(
                    [*git, "show", f"{sha}:{n}"], env=env, capture_output=True, check=True
                ).stdout
                for n in names
                if n
            }
        if keep_unreachable:
            commits = {**repo.commits, **commits}
        repo.commits = commits
        return repo

    def add_fault(
        self,
        path: str,
        status: int | None = None,
        *,
        headers: dict[str, str] | None = None,
        body: Any = None,
        delay: float = 0.0,
        count: int | None = 1,
        method: str = "GET",
    ) -> Fault:
        """Script the next `count` answers to requests whose path matches the regex `path`."""
        fault = Fault(path, status, headers or {}, body, delay, count, method)
        with self.lock:
            self.faults.append(fault)
        return fault

    def rate_limited(
        self, path: str = ".", *, reset_in: float = 1.0, status: int = 403, count: int = 1
    ) -> Fault:
        """Script a primary rate-limit answer that resets `reset_in` seconds from now."""
        reset = str(math.ceil(time.time() + reset_in))
        headers = {"x-ratelimit-remaining": "0", "x-ratelimit-reset": reset}
        body = {"message": "API rate limit exceeded for 127.0.0.1."}
        return self.add_fault(path, status, headers=headers, body=body, count=count)

    def requests_to(self, pattern: str) -> list[LoggedRequest]:
        """The logged requests whose path matches the regex `pattern`."""
        return [r for r in self.log if re.search(pattern, r.path)]

    # answering -----------------------------------------------------------------------------------

    def _take_fault(self, method: str, path: str) -> Fault | None:
        with self.lock:
            for f in self.faults:
                if f.method == method and re.search(f.path, path) and (f.count is None or f.hits < f.count):
                    f.hits += 1
                    return f
        return None

    def _rate_headers(self, spend: bool) -> dict[str, str]:
        with self.lock:
            if time.time() >= self.rate_reset:
                self.rate_remaining = self.rate_limit
                self.rate_reset = math.ceil(time.time() + self.reset_in)
            if spend:
                self.rate_remaining = max(0, self.rate_remaining - 1)
            return {
                "x-ratelimit-limit": str(self.rate_limit),
                "x-ratelimit-remaining": str(self.rate_remaining),
                "x-ratelimit-reset": str(self.rate_reset),
                "x-ratelimit-used": str(self.rate_limit - self.rate_remaining),
            }

    def _authorized(self, headers: dict[str, str]) -> bool | None:
        """True with the right token, False with none, None with a wrong one."""
        auth = headers.get("authorization")
        if auth is None:
            return False
        return True if self.token and auth == f"Bearer {self.token}" else None

    def _commit_json(self, repo: FakeRepo, c: FakeCommit) -> dict[str, Any]:
        name = repo.full_name
        api = f"{self.url}/repos/{name}"
        return {
            "sha": c.sha,
            "node_id": "C_" + c.sha[:12],
            "commit": {
                "author": {
                    "name": c.author_name,
                    "email": c.author_email,
                    "date": iso(c.authored_at or c.committed_at),
                },
                "committer": {
                    "name": c.committer_name,
                    "email": "noreply@github.com",
                    "date": iso(c.committed_at),
                },
                "message": c.message,
                "tree": {"sha": hashlib.sha1(c.sha.encode()).hexdigest()},
            },
            "url": f"{api}/commits/{c.sha}",
            "html_url": f"{self.html_url}/{name}/commit/{c.sha}",
            "author": {"login": c.author_login} if c.author_login else None,
            "committer": {"login": "web-flow"},
            "parents": [{"sha": p, "url": f"{api}/commits/{p}"} for p in c.parents],
        }

    def _reachable(self, repo: FakeRepo, sha: str) -> list[FakeCommit]:
        """Commits reachable from `sha`, newest committer date first."""
        seen: dict[str, FakeCommit] = {}
        todo = [sha]
        while todo:
            s = todo.pop()
            if s in seen or s not in repo.commits:
                continue
            seen[s] = repo.commits[s]
            todo.extend(seen[s].parents)
        return sorted(seen.values(), key=lambda c: c.committed_at, reverse=True)

    def _rev(self, repo: FakeRepo, ref: str) -> FakeCommit | None:
        if ref in repo.branches:
            return repo.commits[repo.branches[ref]]
        if len(ref) >= 4 and re.fullmatch(r"[0-9a-f]+", ref):
            hits = [c for s, c in repo.commits.items() if s.startswith(ref)]
            if len(hits) == 1:
                return hits[0]
        return None

    def answer(self, method: str, path: str, query: dict[str, str], headers: dict[str, str]) -> _Answer:
        """Route one request to its answer (status, headers, body)."""
        fault = self._take_fault(method, path)
        if fault and fault.delay:
            time.sleep(fault.delay)
        if fault and fault.status is not None:
            body = fault.body if fault.body is not None else {"message": f"scripted {fault.status}"}
            return _Answer(fault.status, {**self._rate_headers(False), **fault.headers}, body)
        auth = self._authorized(headers)
        if auth is None:
            return _Answer(401, self._rate_headers(False), {"message": "Bad credentials"})
        rate = self._rate_headers(False)
        if rate["x-ratelimit-remaining"] == "0":
            return _Answer(403, rate, {"message": "API rate limit exceeded for 127.0.0.1."})
        with self.lock:
            status, extra, body = self._route(path, query, headers, auth)
        etag = extra.get("ETag")
        if status == 200 and etag and headers.get("if-none-match") == etag:
            return _Answer(304, {**self._rate_headers(False), "ETag": etag}, None)
        return _Answer(status, {**self._rate_headers(True), **extra}, body)

    def _route(
        self, path: str, query: dict[str, str], headers: dict[str, str], auth: bool
    ) -> tuple[int, dict[str, str], Any]:
        if mt := re.fullmatch(r"/_codeload/([^/]+/[^/]+)/legacy\.tar\.gz/([0-9a-f]{40})", path):
            return self._tarball(mt.group(1), mt.group(2))
        m = re.fullmatch(r"/repos/([^/]+/[^/]+)(/.*)?", path)
        # GitHub's owner and repository names are case-insensitive
        repo = (
            next((r for n, r in self.repos.items() if n.lower() == m.group(1).lower()), None) if m else None
        )
        if not m or repo is None or (repo.private and not auth):
            return 404, {}, {"message": "Not Found"}
        rest = m.group(2) or ""
        if rest == "":
            body = {
                "full_name": repo.full_name,
                "default_branch": repo.default_branch,
                "private": repo.private,
                "html_url": f"{self.html_url}/{repo.full_name}",
            }
            return 200, _etag(body), body
        if mb := re.fullmatch(r"/branches/(.+)", rest):
            if mb.group(1) not in repo.branches:
                return 404, {}, {"message": "Branch not found"}
            c = repo.commits[repo.branches[mb.group(1)]]
            body = {"name": mb.group(1), "commit": self._commit_json(repo, c)}
            return 200, _etag(body), body
        if rest == "/commits":
            return self._list(path, repo, query)
        if mc := re.fullmatch(r"/commits/(.+)", rest):
            c = self._rev(repo, mc.group(1))
            if c is None:
                return 422, {}, {"message": f"No commit found for SHA: {mc.group(1)}"}
            if "application/vnd.github.sha" in headers.get("accept", ""):
                return 200, _etag(c.sha), c.sha
            return self._detail(path, repo, c, query)
        if mt := re.fullmatch(r"/tarball/(.+)", rest):
            # GitHub answers with a 302 to a signed codeload.github.com URL; here a loopback one.
            c = self._rev(repo, mt.group(1))
            if c is None or repo.path is None:
                return 404, {}, {"message": "Not Found"}
            return 302, {"Location": f"{self.url}/_codeload/{repo.full_name}/legacy.tar.gz/{c.sha}"}, ""
        if mr := re.fullmatch(r"/compare/(.+?)\.\.\.(.+)", rest):
            return self._compare(path, repo, mr.group(1), mr.group(2), query)
        if mf := re.fullmatch(r"/contents/(.+)", rest):
            return self._contents(repo, unquote(mf.group(1)), query, headers)
        if mt := re.fullmatch(r"/git/trees/(.+)", rest):
            return self._tree(repo, mt.group(1), query)
        return 404, {}, {"message": "Not Found"}

    def _contents(
        self, repo: FakeRepo, name: str, query: dict[str, str], headers: dict[str, str]
    ) -> tuple[int, dict[str, str], Any]:
        """GET /repos/{o}/{r}/contents/{path}?ref=: base64 up to 1 MB; past it `content: ""`, `encoding: none`."""
        c = self._rev(repo, query.get("ref", repo.default_branch))
        if c is None:
            return 404, {}, {"message": f"No commit found for the ref {query.get('ref')}"}
        data = (c.tree or {}).get(name)
        self.contents_served += 1
        if data is None:
            if any(p.startswith(name + "/") for p in c.tree or {}):
                items = [
                    {"name": p.split("/")[-1], "path": p, "type": "file"}
                    for p in c.tree or {}
                    if p.startswith(name + "/")
                ]
                return 200, _etag(items), items
            return 404, {}, {"message": "Not Found", "documentation_url": _CONTENTS_DOCS}
        sha = hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()
        if "application/vnd.github.raw" in headers.get("accept", ""):
            text = data.decode("utf-8", "replace")
            return 200, {"ETag": f'"{sha}"'}, text
        big = len(data) > CONTENTS_LIMIT
        body = {
            "type": "file",
            "name": name.rsplit("/", 1)[-1],
            "path": name,
            "sha": sha,
            "size": len(data),
            "encoding": "none" if big else "base64",
            "content": "" if big else base64.encodebytes(data).decode(),
        }
        return 200, {"ETag": f'"{sha}"'}, body

    def _tree(self, repo: FakeRepo, ref: str, query: dict[str, str]) -> tuple[int, dict[str, str], Any]:
        """GET /repos/{o}/{r}/git/trees/{sha}?recursive=1: blobs (and their folders), `truncated` past the limit."""
        c = self._rev(repo, ref)
        if c is None:
            return 404, {}, {"message": "Not Found"}
        paths = sorted(c.tree or {})
        dirs = sorted({p.rsplit("/", 1)[0] for p in paths if "/" in p})
        entries = [{"path": d, "mode": "040000", "type": "tree"} for d in dirs]
        entries += [
            {"path": p, "mode": "100644", "type": "blob", "size": len((c.tree or {})[p])} for p in paths
        ]
        truncated = len(entries) > self.tree_limit
        body = {"sha": c.sha, "tree": entries[: self.tree_limit], "truncated": truncated}
        return 200, _etag(body), body
    def _tarball(self, full_name: str, sha: str) -> tuple[int, dict[str, str], Any]:
        """The .tar.gz of a mirrored repository at `sha`, its files under one `owner-name-sha/` folder."""
        repo = self.repos.get(full_name)
        if repo is None or repo.path is None or sha not in repo.commits:
            return 404, {}, {"message": "Not Found"}
        prefix = f"{full_name.replace('/', '-')}-{sha[:7]}/"
        data = subprocess.run(
            ["git", "-C", str(repo.path), "archive", "--format=tar.gz", f"--prefix={prefix}", sha],
            env=git_env(),
            capture_output=True,
            check=True,
        ).stdout
        return 200, {}, data

    def _page(
        self, path: str, query: dict[str, str], items: list[Any], default: int, cap: int
    ) -> tuple[list[Any], dict[str, str]]:
        per_page = min(int(query.get("per_page", default)), cap)
        page = max(int(query.get("page", 1)), 1)
        chunk = items[(page - 1) * per_page : page * per_page]
        links = []
        last = max(1, math.ceil(len(items) / per_page))
        if page < last:
            links.append(f'<{self.url}{path}?{urlencode({**query, "page": page + 1})}>; rel="next"')
            links.append(f'<{self.url}{path}?{urlencode({**query, "page": last})}>; rel="last"')
        return chunk, ({"Link": ", ".join(links)} if links else {})

    def _list(self, path: str, repo: FakeRepo, query: dict[str, str]) -> tuple[int, dict[str, str], Any]:
        start = self._rev(repo, query.get("sha", repo.default_branch))
        if start is None:
            return 404, {}, {"message": "Not Found"}
        since = _parse(query.get("since"))
        until = _parse(query.get("until"))
        items = [
            c
            for c in self._reachable(repo, start.sha)
            if (since is None or c.committed_at >= since) and (until is None or c.committed_at <= until)
        ]
        chunk, link = self._page(path, query, items, 30, self.max_per_page)
        body = [self._commit_json(repo, c) for c in chunk]
        return 200, {**link, **_etag(body)}, body

    def _detail(
        self, path: str, repo: FakeRepo, c: FakeCommit, query: dict[str, str]
    ) -> tuple[int, dict[str, str], Any]:
        files, link = self._page(path, query, c.files[:FILES_CAP], FILES_PER_PAGE, FILES_PER_PAGE)
        adds = sum(f.additions for f in c.files)
        dels = sum(f.deletions for f in c.files)
        body = {
            **self._commit_json(repo, c),
            "stats": {"total": adds + dels, "additions": adds, "deletions": dels},
            "files": [_file_json(f) for f in files],
        }
        return 200, {**link, **_etag(body)}, body

    def _compare(
        self, path: str, repo: FakeRepo, base: str, head: str, query: dict[str, str]
    ) -> tuple[int, dict[str, str], Any]:
        b, h = self._rev(repo, base), self._rev(repo, head)
        if b is None or h is None:
            return 404, {}, {"message": "Not Found", "documentation_url": _COMPARE_DOCS}
        behind = {c.sha for c in self._reachable(repo, b.sha)}
        reach = {c.sha for c in self._reachable(repo, h.sha)}
        if not behind & reach:  # what GitHub answers for unrelated histories (e.g. after filter-branch)
            message = f"No common ancestor between {base} and {head}."
            return 404, {}, {"message": message, "documentation_url": _COMPARE_DOCS}
        ahead = [c for c in reversed(self._reachable(repo, h.sha)) if c.sha not in behind]
        chunk, link = self._page(path, query, ahead, 250, 250)
        behind_by = len(behind - reach)
        status = (
            "identical"
            if b.sha == h.sha
            else "ahead"
            if not behind_by
            else "behind"
            if not ahead
            else "diverged"
        )
        body = {
            "status": status,
            "ahead_by": len(ahead),
            "behind_by": behind_by,
            "total_commits": len(ahead),
            "base_commit": self._commit_json(repo, b),
            "commits": [self._commit_json(repo, c) for c in chunk],
            "files": [],
        }
        return 200, {**link, **_etag(body)}, body


@dataclass
class _Answer:
    status: int
    headers: dict[str, str]
    body: Any


def _etag(body: Any) -> dict[str, str]:
    text = body if isinstance(body, str) else json.dumps(body, sort_keys=True)
    digest = hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()
    return {"ETag": f'W/"{digest}"'}


def _mirrored_files(body: str) -> list[FakeFile]:
    """The files of one commit from `git log -p --numstat` output (numstat lines, then the patches)."""
    stats: list[tuple[int, int, str]] = []
    patches: dict[str, str] = {}
    current = None
    for line in body.splitlines():
        if current is None and (m := re.fullmatch(r"(\d+|-)\t(\d+|-)\t(.+)", line)):
            stats.append((int(m[1]) if m[1] != "-" else 0, int(m[2]) if m[2] != "-" else 0, m[3]))
        elif line.startswith("diff --git "):
            current = line.rsplit(" b/", 1)[-1]
            patches[current] = ""
        elif current is not None and (
            line.startswith(("@@", "+", "-", " ")) and not line.startswith(("+++", "---"))
        ):
            patches[current] += line + "\n"
    return [
        FakeFile(name, "modified", adds, dels, patches.get(name, "").rstrip("\n") or None)
        for adds, dels, name in stats
    ]


def _parse(s: str | None) -> datetime | None:
    return datetime.fromisoformat(s) if s else None


def _file_json(f: FakeFile) -> dict[str, Any]:
    out: dict[str, Any] = {
        "sha": hashlib.sha1(f.filename.encode("utf-8", "surrogatepass")).hexdigest(),
        "filename": f.filename,
        "status": f.status,
        "additions": f.additions,
        "deletions": f.deletions,
        "changes": f.additions + f.deletions,
    }
    if f.patch is not None:
        out["patch"] = f.patch
    if f.previous_filename:
        out["previous_filename"] = f.previous_filename
    return out


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    fake: FakeGitHub

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        parts = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        headers = {k.lower(): v for k, v in self.headers.items()}
        entry = LoggedRequest("GET", parts.path, query, headers)
        with self.fake.lock:
            self.fake.log.append(entry)
        a = self.fake.answer("GET", parts.path, query, headers)
        entry.status = a.status
        if a.body is None:
            data = b""
        elif isinstance(a.body, str | bytes):
            data = a.body.encode() if isinstance(a.body, str) else a.body
        else:
            data = json.dumps(a.body).encode()
        ctype = "text/plain" if isinstance(a.body, str | bytes) else "application/json; charset=utf-8"
        try:
            self.send_response(a.status)
            self.send_header("Content-Type", ctype)
            for k, v in a.headers.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if a.status != 304:
                self.wfile.write(data)
        except ConnectionError:
            self.close_connection = True  # the client gave up waiting, as timeout tests make it

    def log_message(self, format: str, *args: Any) -> None:
        """Keep test output quiet."""
