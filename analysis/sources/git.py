"""Read commits from a local git clone by running `git` (never through a shell)."""

from __future__ import annotations

import logging
import re
from datetime import datetime
from pathlib import Path

from analysis.errors import AmbiguousRevision, SourceError, UnknownRevision
from analysis.models import Commit
from analysis.sources.base import CommitRef, RateLimit
from analysis.sources.git_batch import BlobReader
from analysis.sources.git_cli import GitRunner, _GitFailed, check_rev, decode
from analysis.sources.git_parse import (
    FORMAT,
    META,
    fingerprints_of,
    parse_commit,
    parse_files,
    parse_raw,
    parse_refs,
)
from analysis.sources.git_remote import CloneShape, read_shape
from analysis.strings import t

log = logging.getLogger(__name__)
_GITHUB_RE = re.compile(r"github\.com[:/]+([\w.-]+)/([\w.-]+?)(?:\.git)?/?$")
# owner/repo at the end of a remote on a host (https://host/owner/repo.git, git@host:owner/repo), not a local path
_OWNER_REPO_RE = re.compile(
    r"^(?:[A-Za-z][A-Za-z0-9+.-]*://[^/]+/|[^@/\s]+@[^:/\s]+:)(?:\S*/)?([\w.-]+)/([\w.-]+?)(?:\.git)?/?$"
)
_USERINFO_RE = re.compile(r"://[^/@\s]+@")
FETCH_TIMEOUT = 60.0  # seconds a `git fetch` may take before the run reads what the clone has
_HEX_RE = re.compile(r"^[0-9a-fA-F]{4,39}$")
_READ_TIMEOUT = 60.0  # seconds one file read or file listing may take


class GitSource:
    """Commits of a local clone; `repo` is the clone's absolute path, `display` its remote's owner/repo or folder name."""

    kind = "git"

    def __init__(
        self, path: str, *, fetch: bool = False, fetch_timeout: float = FETCH_TIMEOUT, language: str = "en"
    ):
        self.language = language  # the language of the notes on what the clone lacks
        self.path = str(Path(path).expanduser().absolute())
        self.repo = self.path
        self.display = Path(self.path).name
        self.followed: str | None = None
        self._fetch_first = fetch
        self._fetch_timeout = fetch_timeout
        self._git = GitRunner(self.path)
        self._shape_cache: CloneShape | None = None
        self._web_base: str | None | bool = False  # False: not looked up yet
        self._trees: dict[str, list[str]] = {}
        self._blobs = BlobReader(self._git, timeout=_READ_TIMEOUT)

    @property
    def rate_limit(self) -> RateLimit | None:
        """A clone has no rate limit."""
        return None

    @property
    def requests(self) -> int:
        """git invocations made so far."""
        return self._git.requests

    @property
    def _shape(self) -> CloneShape:
        if self._shape_cache is None:
            self._shape_cache = read_shape(self._git)
        return self._shape_cache

    async def refresh(self) -> str | None:
        """Fetch the followed remote (when asked to) and learn the display name; a note on what the clone lacks."""
        self._git.check_repo()
        shape = self._shape
        remote = shape.remote
        if remote and (m := _OWNER_REPO_RE.search(shape.remotes[remote])):
            self.display = f"{m.group(1)}/{m.group(2)}"
        notes = []
        if self._fetch_first and remote:
            notes += await self._fetch(remote)
            self._shape_cache = None  # a fetch may deepen a shallow clone
            shape = self._shape
        elif self._fetch_first and not shape.remotes:  # common and harmless: one log line, not a digest note
            log.info("%s has no remote to fetch: reading its local branches", self.display)
        elif self._fetch_first:
            names = ", ".join(sorted(shape.remotes))
            log.warning(
                "%s has remotes (%s) but its branch tracks none: none was fetched", self.display, names
            )
        if shape.shallow:
            notes.append(t(self.language, "src_shallow", name=self.display))
        if shape.partial:
            notes.append(t(self.language, "src_partial", name=self.display))
        return " ".join(notes) or None

    async def _fetch(self, remote: str) -> list[str]:
        """Fetch `remote` within the fetch timeout; the note when that failed."""
        try:
            await self._git.run(
                "fetch", "--quiet", "--prune", remote, timeout=self._fetch_timeout, online=True
            )
        except _GitFailed as e:
            reason = _USERINFO_RE.sub("://", str(e))[:200].replace(
                "`", "'"
            )  # never echo credentials kept in a remote URL
            return [t(self.language, "src_fetch_failed", remote=remote, reason=reason)]
        try:  # follow a renamed default branch: <remote>/HEAD as the remote has it now
            await self._git.run(
                "remote", "set-head", remote, "--auto", timeout=self._fetch_timeout, online=True
            )
        except _GitFailed:
            pass
        return []

    async def default_branch(self) -> str:
        """The branch <remote>/HEAD points to, else the clone's current branch."""
        if remote := self._shape.remote:
            ref = f"refs/remotes/{remote}/HEAD"
            out = await self._git.run("symbolic-ref", "--quiet", "--short", ref, ok=(0, 1))
            if out.strip():
                return decode(out).strip().removeprefix(f"{remote}/")
        out = await self._git.run("symbolic-ref", "--quiet", "--short", "HEAD", ok=(0, 1))
        if out.strip():
            return decode(out).strip()
        raise SourceError(f"{self.path} has a detached HEAD and no origin/HEAD: name the branch to read")

    async def head(self, branch: str) -> str:
        """The SHA at the tip of <remote>/`branch` (what upstream has), else of the local branch."""
        check_rev(branch)
        remote_name = self._shape.remote
        local = f"refs/heads/{branch}"
        refs = [(local, branch)]
        if remote_name:
            refs.insert(0, (f"refs/remotes/{remote_name}/{branch}", f"{remote_name}/{branch}"))
        out = await self._git.run(
            "for-each-ref", "--format=%(refname)%00%(objectname)", *(r for r, _ in refs)
        )
        found = dict(decode(line).split("\0") for line in out.splitlines() if line)
        for ref, name in refs:
            if sha := found.get(ref):
                self.followed = name
                return sha
        raise UnknownRevision(f"branch {branch!r} is not in {self.display} (neither on its remote nor local)")

    def _visible(self, refs: list[CommitRef]) -> list[CommitRef]:
        """The commits whose changes the clone can show: a shallow clone's boundary commits are left out."""
        grafted = self._shape.grafted
        return [r for r in refs if r.sha not in grafted] if grafted else refs

    def _refs(self, out: bytes) -> list[CommitRef]:
        return self._visible(parse_refs(self.repo, out, self._shape.encoding))

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
            "log", "-z", FORMAT, "--no-walk=unsorted", "--stdin", input="\n".join(shas).encode()
        )
        return self._refs(out)

    async def compare(self, base: str, head: str) -> tuple[list[CommitRef], bool]:
        """Commits reachable from `head` but not from `base`, newest first; and whether `base` left the history."""
        if not await self._exists(check_rev(base)):
            raise UnknownRevision(f"{base} is not a commit in {self.display}")
        diverged = not await self._is_ancestor(base, head)
        out = await self._git.run("log", "-z", FORMAT, f"{base}..{check_rev(head)}", "--")
        return self._refs(out), diverged

    async def _exists(self, sha: str) -> bool:
        out = await self._git.run("cat-file", "-t", sha, ok=(0, 1, 128))
        return out.strip() == b"commit"

    async def _is_ancestor(self, base: str, head: str) -> bool:
        code, _, err = await self._git.call("merge-base", "--is-ancestor", base, head)
        if code not in (0, 1):  # 1: not an ancestor; anything else is a failure
            raise _GitFailed(f"git merge-base failed in {self.path} (exit {code}): {decode(err)[:500]}", code)
        return code == 0

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
        code, patches, _ = await self._git.call(*log_args, input="\n".join(r.sha for r in refs).encode())
        if code != 0:  # contents missing from a partial clone: rewrites are matched once commits are read
            return {}
        return fingerprints_of(await self._git.run("patch-id", "--stable", input=patches), refs)

    async def list_range(self, branch: str, base: str, head: str) -> list[CommitRef]:
        """Commits reachable from `head` but not from `base`, newest first."""
        spec = f"{check_rev(base)}..{check_rev(head)}"
        try:
            out = await self._git.run("log", "-z", FORMAT, spec, "--")
        except _GitFailed:
            await self.resolve(base)
            await self.resolve(head)
            raise
        return self._refs(out)

    async def fetch(self, sha: str) -> Commit:
        """One commit with all its files and patches; a merge is diffed against its first parent.

        A shallow clone's boundary commit has no files (its parent is not in the clone); a commit whose
        file contents a partial clone lacks has its files without patches.
        """
        diff = (
            "diff-tree",
            "-r",
            "-z",
            "--root",
            "--always",
            "--raw",
            "--no-ext-diff",
            "--diff-merges=first-parent",
        )
        full = ("--numstat", "-p", "-C", "--no-textconv")
        code, out, _ = await self._git.call(*diff, *full, FORMAT, check_rev(sha), "--")
        if code != 0:
            if not await self._exists(sha):
                raise UnknownRevision(f"commit {sha} is not in {self.repo}")
            out = await self._git.run(*diff, "--no-renames", FORMAT, sha, "--")
        n = len(META)
        parts = out.split(b"\0", n)
        commit = parse_commit(self.repo, parts[:n], self._shape.encoding)
        if sha in self._shape.grafted or commit.sha in self._shape.grafted:
            commit.files, commit.files_truncated = [], True
            return commit
        commit.files = (
            parse_files(parts[n]) if code == 0 else parse_raw(parts[n].lstrip(b"\0\n").split(b"\0"))[0]
        )
        commit.total_files = len(commit.files)
        return commit

    async def resolve(self, rev: str) -> str:
        """The full SHA of a SHA prefix or ref; raises UnknownRevision, also for ambiguous prefixes."""
        spec = f"{check_rev(rev)}^{{commit}}"
        code, out, _ = await self._git.call("rev-parse", "--verify", "--quiet", spec)
        if code == 0:
            return decode(out).strip()
        if _HEX_RE.match(rev):
            found = await self._git.run("rev-parse", f"--disambiguate={rev}", ok=(0, 1, 128))
            if len(found.split()) > 1:
                raise AmbiguousRevision(f"{rev!r} is ambiguous in {self.repo}: give more characters")
        raise UnknownRevision(f"{rev!r} is not a commit in {self.repo}")

    async def read_file(self, path: str, rev: str) -> str | None:
        """The text of `path` at `rev`, None when absent there (one `git cat-file --batch` serves every read)."""
        return await self._blobs.read(f"{check_rev(rev)}:{path}")

    async def repo_paths(self, rev: str) -> list[str]:
        """Every file path at `rev` (`git ls-tree -r`), kept per revision."""
        if rev not in self._trees:
            args = ("ls-tree", "-r", "-z", "--name-only", check_rev(rev))
            out = await self._git.run(*args, timeout=_READ_TIMEOUT)
            self._trees[rev] = [decode(p) for p in out.split(b"\0") if p]
        return self._trees[rev]

    def web_url(self, sha: str) -> str | None:
        """The commit's GitHub page when the clone's followed remote is on GitHub, else None."""
        shape = self._shape
        url = shape.remotes.get(shape.remote or "", "")
        m = _GITHUB_RE.search(url)
        return f"https://github.com/{m.group(1)}/{m.group(2)}/commit/{sha}" if m else None

    async def aclose(self) -> None:
        """Stop the file-reading git process; later reads raise SourceError."""
        await self._blobs.aclose()
