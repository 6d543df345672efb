"""Read commits from a local git clone by running `git` (never through a shell)."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

from analysis.errors import AmbiguousRevision, SourceError, UnknownRevision
from analysis.models import Commit, FileChange
from analysis.sources.base import CommitRef
from analysis.sources.git_cli import GitRunner, _GitFailed, check_rev, decode

_STATUS = {"A": "added", "M": "modified", "D": "removed", "R": "renamed", "C": "copied"}
_META = ["%H", "%P", "%an", "%ae", "%aI", "%cn", "%cI", "%B"]
_FORMAT = "--format=" + "%x00".join(_META) + "%x00"
_GITHUB_RE = re.compile(r"github\.com[:/]+([\w.-]+)/([\w.-]+?)(?:\.git)?/?$")
# owner/repo at the end of a remote on a host (https://host/owner/repo.git, git@host:owner/repo), not a local path
_OWNER_REPO_RE = re.compile(
    r"^(?:[A-Za-z][A-Za-z0-9+.-]*://[^/]+/|[^@/\s]+@[^:/\s]+:)(?:\S*/)?([\w.-]+)/([\w.-]+?)(?:\.git)?/?$"
)
_USERINFO_RE = re.compile(r"://[^/@\s]+@")
_READ_TIMEOUT = 60.0  # seconds one file read or file listing may take
_FETCH_TIMEOUT = 300.0  # seconds a `git fetch` may take before the run reads what the clone has


def _commit(repo: str, fields: list[bytes]) -> Commit:
    sha, parents, an, ae, ad, cn, cd, msg = (decode(f) for f in fields)
    return Commit(
        repo=repo,
        sha=sha,
        message=msg.rstrip(),
        author_name=an,
        author_email=ae,
        authored_at=datetime.fromisoformat(ad),
        committer_name=cn,
        committed_at=datetime.fromisoformat(cd),
        parents=parents.split(),
    )


def _refs(repo: str, out: bytes) -> list[CommitRef]:
    parts = out.split(b"\0")
    n = len(_META) + 1  # `-z` ends each record with one more NUL
    commits = [_commit(repo, parts[i : i + n - 1]) for i in range(0, len(parts) - n + 1, n)]
    return [CommitRef(c.sha, c.committed_at, c.parents, summary=c) for c in commits]


def _count(s: str) -> int:
    return 0 if s == "-" else int(s)


def _files(rest: bytes) -> list[FileChange]:
    """Parse `--raw --numstat -p -z` output: raw entries, then numstat entries, then patches."""
    parts = rest.lstrip(b"\0\n").split(b"\0")
    files: list[FileChange] = []
    i = 0
    while i < len(parts) and parts[i].startswith(b":"):
        code = decode(parts[i].split()[-1])
        if code[0] in "RC":
            old, new = decode(parts[i + 1]), decode(parts[i + 2])
            files.append(FileChange(path=new, status=_STATUS[code[0]], previous_path=old))
            i += 3
        else:
            files.append(FileChange(path=decode(parts[i + 1]), status=_STATUS.get(code[0], "changed")))
            i += 2
    for f in files:
        add, dele, path = decode(parts[i]).split("\t", 2)
        i += 1 if path else 3  # a rename's numstat entry carries both paths after an empty one
        f.additions, f.deletions, f.binary = _count(add), _count(dele), add == "-"
    patches = b"\0".join(parts[i:]).lstrip(b"\0").split(b"\ndiff --git ")
    if len(patches) == len(files):
        for f, p in zip(files, patches, strict=True):
            hunk = p.find(b"\n@@ ")
            f.patch = None if f.binary or hunk < 0 else decode(p[hunk + 1 :]).rstrip("\n")
    return files


class GitSource:
    """Commits of a local clone; `repo` is the clone's absolute path, `display` its remote's owner/repo or folder name."""

    def __init__(self, path: str, *, fetch: bool = False):
        self.path = str(Path(path).expanduser().absolute())
        self.repo = self.path
        self.display = Path(self.path).name
        self.followed: str | None = None
        self._fetch_first = fetch
        self._git = GitRunner(self.path)
        self._web_base: str | None | bool = False  # False: not looked up yet
        self._trees: dict[str, list[str]] = {}

    @property
    def requests(self) -> int:
        """git invocations made so far."""
        return self._git.requests

    async def refresh(self) -> str | None:
        """Fetch origin (when asked to) and learn the display name; a note when the fetch failed."""
        url = decode(await self._git.run("config", "--get", "remote.origin.url", ok=(0, 1))).strip()
        if m := _OWNER_REPO_RE.search(url):
            self.display = f"{m.group(1)}/{m.group(2)}"
        if not self._fetch_first or not url:
            return None
        try:
            await self._git.run("fetch", "--quiet", "--prune", "origin", timeout=_FETCH_TIMEOUT)
        except _GitFailed as e:
            reason = _USERINFO_RE.sub("://", str(e))[:200]  # never echo credentials kept in a remote URL
            return f"could not fetch origin ({reason}); this digest shows what the clone already had"
        try:  # follow a renamed default branch: origin/HEAD as the remote has it now
            await self._git.run("remote", "set-head", "origin", "--auto", timeout=_FETCH_TIMEOUT)
        except _GitFailed:
            pass
        return None

    async def default_branch(self) -> str:
        """The branch origin/HEAD points to, else the clone's current branch."""
        out = await self._git.run("symbolic-ref", "--quiet", "--short", "refs/remotes/origin/HEAD", ok=(0, 1))
        if out.strip():
            return decode(out).strip().removeprefix("origin/")
        out = await self._git.run("symbolic-ref", "--quiet", "--short", "HEAD", ok=(0, 1))
        if out.strip():
            return decode(out).strip()
        raise SourceError(f"{self.path} has a detached HEAD and no origin/HEAD: name the branch to read")

    async def head(self, branch: str) -> str:
        """The SHA at the tip of origin/`branch` (what upstream has), else of the local branch."""
        check_rev(branch)
        local, remote = f"refs/heads/{branch}", f"refs/remotes/origin/{branch}"
        out = await self._git.run("for-each-ref", "--format=%(refname)%00%(objectname)", local, remote)
        found = dict(decode(line).split("\0") for line in out.splitlines() if line)
        for ref, name in ((remote, f"origin/{branch}"), (local, branch)):
            if sha := found.get(ref):
                self.followed = name
                return sha
        raise UnknownRevision(f"branch {branch!r} is not in {self.display} (neither on origin nor local)")

    async def list_window(self, branch: str, since: datetime, until: datetime | None) -> list[CommitRef]:
        """Commits reachable from `branch` whose committer date is in [since, until), newest first.

        The whole history is walked: a badly dated commit never hides the ones behind it.
        """
        tip = await self.head(branch)
        out = await self._git.run("log", "--format=%H %ct", tip, "--")
        lo, hi = since.timestamp(), until.timestamp() if until else None
        shas = []
        for line in decode(out).splitlines():
            sha, _, stamp = line.partition(" ")
            if lo <= int(stamp) and (hi is None or int(stamp) < hi):
                shas.append(sha)
        return await self.describe(shas)

    async def describe(self, shas: list[str]) -> list[CommitRef]:
        """The listing entries of these commits, in the order given."""
        if not shas:
            return []
        out = await self._git.run(
            "log", "-z", _FORMAT, "--no-walk=unsorted", "--stdin", input="\n".join(shas).encode()
        )
        return _refs(self.repo, out)

    async def compare(self, base: str, head: str) -> tuple[list[CommitRef], bool]:
        """Commits reachable from `head` but not from `base`, newest first; and whether `base` left the history."""
        if not await self._exists(check_rev(base)):
            raise UnknownRevision(f"{base} is not a commit in {self.display}")
        diverged = not await self._is_ancestor(base, head)
        out = await self._git.run("log", "-z", _FORMAT, f"{base}..{check_rev(head)}", "--")
        return _refs(self.repo, out), diverged

    async def _exists(self, sha: str) -> bool:
        out = await self._git.run("cat-file", "-t", sha, ok=(0, 1, 128))
        return out.strip() == b"commit"

    async def _is_ancestor(self, base: str, head: str) -> bool:
        try:
            await self._git.run("merge-base", "--is-ancestor", base, head)
        except _GitFailed:
            return False
        return True

    async def walk_new(self, head: str, known: set[str], limit: int) -> tuple[list[CommitRef], bool]:
        """Commits reachable from `head` and from no known commit that still exists, newest first (all of them)."""
        present = await self._present(known)
        stdin = "\n".join([check_rev(head), *(f"^{sha}" for sha in present)]).encode()
        out = await self._git.run("rev-list", "--topo-order", "--stdin", input=stdin)
        return await self.describe(decode(out).split()), True

    async def _present(self, shas: set[str]) -> list[str]:
        """Those of `shas` that are commits in the clone."""
        if not shas:
            return []
        out = await self._git.run(
            "cat-file", "--batch-check=%(objectname) %(objecttype)", input="\n".join(shas).encode()
        )
        return [line.split()[0] for line in decode(out).splitlines() if line.endswith(" commit")]

    async def fingerprints(self, refs: list[CommitRef]) -> dict[str, str]:
        """Each commit's `git patch-id --stable` with its author date: what a rebase or filter-branch keeps."""
        if not refs:
            return {}
        log_args = (
            "log", "-p", "--no-walk=unsorted", "--stdin", "--format=commit %H", "--no-color",
            "--no-ext-diff", "--no-textconv", "--diff-merges=first-parent",
        )  # fmt: skip
        patches = await self._git.run(*log_args, input="\n".join(r.sha for r in refs).encode())
        out = await self._git.run("patch-id", "--stable", input=patches)
        ids = {}
        for line in decode(out).splitlines():
            if len(parts := line.split()) == 2:
                ids[parts[1]] = parts[0]
        stamps = {
            r.sha: int((r.summary.authored_at or r.committed_at).timestamp()) if r.summary else None
            for r in refs
        }
        return {sha: f"patch:{pid}:{stamps.get(sha)}" for sha, pid in ids.items()}

    async def list_range(self, branch: str, base: str, head: str) -> list[CommitRef]:
        """Commits reachable from `head` but not from `base`, newest first."""
        spec = f"{check_rev(base)}..{check_rev(head)}"
        try:
            out = await self._git.run("log", "-z", _FORMAT, spec, "--")
        except _GitFailed:
            await self.resolve(base)
            await self.resolve(head)
            raise
        return _refs(self.repo, out)

    async def fetch(self, sha: str) -> Commit:
        """One commit with all its files and patches; a merge is diffed against its first parent."""
        args = (
            "diff-tree", "-r", "-z", "--root", "--always", "--raw", "--numstat", "-p", "-C",
            "--no-ext-diff", "--no-textconv", "--diff-merges=first-parent", _FORMAT,
            check_rev(sha), "--",
        )  # fmt: skip
        try:
            out = await self._git.run(*args)
        except _GitFailed as e:
            raise UnknownRevision(f"commit {sha} is not in {self.repo}") from e
        n = len(_META)
        parts = out.split(b"\0", n)
        commit = _commit(self.repo, parts[:n])
        commit.files = _files(parts[n])
        commit.total_files = len(commit.files)
        return commit

    async def resolve(self, rev: str) -> str:
        """The full SHA of a SHA prefix or ref; raises UnknownRevision, also for ambiguous prefixes."""
        spec = f"{check_rev(rev)}^{{commit}}"
        try:
            out = await self._git.run("rev-parse", "--verify", spec)
        except _GitFailed as e:
            if "ambiguous" in str(e):
                raise AmbiguousRevision(f"{rev!r} is ambiguous in {self.repo}: give more characters") from e
            raise UnknownRevision(f"{rev!r} is not a commit in {self.repo}") from e
        return decode(out).strip()

    async def read_file(self, path: str, rev: str) -> str | None:
        """The text of `path` at `rev` (`git cat-file blob`), None when absent there."""
        spec = f"{check_rev(rev)}:{path}"
        out = await self._git.run("cat-file", "blob", spec, ok=(0, 128), timeout=_READ_TIMEOUT)
        if not out and not await self._has(spec):
            return None
        return decode(out)

    async def _has(self, spec: str) -> bool:
        out = await self._git.run("cat-file", "-t", spec, ok=(0, 128), timeout=_READ_TIMEOUT)
        return out.strip() == b"blob"

    async def repo_paths(self, rev: str) -> list[str]:
        """Every file path at `rev` (`git ls-tree -r`), kept per revision."""
        if rev not in self._trees:
            args = ("ls-tree", "-r", "-z", "--name-only", check_rev(rev))
            out = await self._git.run(*args, timeout=_READ_TIMEOUT)
            self._trees[rev] = [decode(p) for p in out.split(b"\0") if p]
        return self._trees[rev]

    def web_url(self, sha: str) -> str | None:
        """The commit's GitHub page when the clone's origin is on GitHub, else None."""
        if self._web_base is False:
            out = self._git.run_now("config", "--get", "remote.origin.url")
            m = _GITHUB_RE.search(decode(out).strip())
            self._web_base = f"https://github.com/{m.group(1)}/{m.group(2)}" if m else None
        return f"{self._web_base}/commit/{sha}" if self._web_base else None

    async def aclose(self) -> None:
        """Nothing to release: every git process has exited."""
