"""Build real git repositories in tests with the `git` command, isolated from the user's config."""

from __future__ import annotations

import os
import subprocess
from datetime import datetime
from pathlib import Path

AUTHOR = ("Ada Author", "ada@example.com")
COMMITTER = ("Cy Committer", "cy@example.com")


def git_env(**extra: str) -> dict[str, str]:
    """An environment that ignores global and system git config."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(
        GIT_CONFIG_GLOBAL=os.devnull,
        GIT_CONFIG_NOSYSTEM="1",
        GIT_TERMINAL_PROMPT="0",
        LC_ALL="C",
    )
    env.update(extra)
    return env


class GitRepo:
    """A git repository in a directory, with helpers to commit files at chosen dates."""

    def __init__(self, path: Path, branch: str = "main", init: bool = True):
        self.path = Path(path)
        self.path.mkdir(parents=True, exist_ok=True)
        if init:
            self.git("init", "-q", "-b", branch)
        self.git("config", "user.name", AUTHOR[0])
        self.git("config", "user.email", AUTHOR[1])
        self.git("config", "commit.gpgsign", "false")

    def git(self, *args: str, env: dict[str, str] | None = None, input: bytes | None = None) -> str:
        """Run git in the repository and return its stripped output."""
        out = subprocess.run(
            ["git", *args],
            cwd=self.path,
            env=env or git_env(),
            input=input,
            capture_output=True,
            check=False,
        )
        if out.returncode != 0:
            raise RuntimeError(f"git {' '.join(args)} failed: {out.stderr.decode(errors='replace')}")
        return out.stdout.decode(errors="replace").strip()

    def write(self, files: dict[str, str | bytes]) -> None:
        """Write files (text or bytes) into the work tree, creating directories."""
        for name, content in files.items():
            p = self.path / name
            p.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                p.write_bytes(content)
            else:
                p.write_text(content, encoding="utf-8")

    def commit(
        self,
        message: str | bytes,
        files: dict[str, str | bytes] | None = None,
        *,
        remove: list[str] | None = None,
        date: str = "2026-01-24T12:00:00+00:00",
        author_date: str | None = None,
        author: tuple[str, str] = AUTHOR,
        committer: tuple[str, str] = COMMITTER,
        amend: bool = False,
    ) -> str:
        """Write `files`, remove `remove`, commit everything with the given dates; return the SHA."""
        self.write(files or {})
        for name in remove or []:
            self.git("rm", "-q", "--", name)
        self.git("add", "-A")
        env = git_env(
            GIT_AUTHOR_NAME=author[0],
            GIT_AUTHOR_EMAIL=author[1],
            GIT_AUTHOR_DATE=author_date or date,
            GIT_COMMITTER_NAME=committer[0],
            GIT_COMMITTER_EMAIL=committer[1],
            GIT_COMMITTER_DATE=date,
        )
        msg = message if isinstance(message, bytes) else message.encode()
        extra = ["--amend"] if amend else []
        self.git("commit", "-q", "--allow-empty", "--no-verify", *extra, "-F", "-", env=env, input=msg)
        return self.head()

    def rename(self, old: str, new: str) -> None:
        """Stage a rename of `old` to `new` (commit it with `commit`)."""
        (self.path / new).parent.mkdir(parents=True, exist_ok=True)
        self.git("mv", old, new)

    def branch(self, name: str, start: str = "HEAD") -> None:
        """Create and switch to a branch."""
        self.git("checkout", "-q", "-b", name, start)

    def checkout(self, rev: str) -> None:
        """Switch to a branch or commit."""
        self.git("checkout", "-q", rev)

    def merge(self, branch: str, message: str, date: str = "2026-01-24T12:00:00+00:00") -> str:
        """Merge `branch` into the current branch with a merge commit; return its SHA."""
        env = git_env(GIT_AUTHOR_DATE=date, GIT_COMMITTER_DATE=date)
        self.git("merge", "-q", "--no-ff", "--no-edit", "-m", message, branch, env=env)
        return self.head()

    def cherry_pick(self, sha: str, date: str) -> str:
        """Cherry-pick `sha` onto the current branch, committed at `date` (the author date is kept)."""
        env = git_env(
            GIT_COMMITTER_DATE=date, GIT_COMMITTER_NAME=COMMITTER[0], GIT_COMMITTER_EMAIL=COMMITTER[1]
        )
        self.git("cherry-pick", sha, env=env)
        return self.head()

    def clone(self, path: Path) -> GitRepo:
        """Clone this repository to `path` (its `origin` is this repository)."""
        self.git("clone", "-q", str(self.path), str(path))
        return GitRepo(path, init=False)

    def head(self, rev: str = "HEAD") -> str:
        """The full SHA of `rev`."""
        return self.git("rev-parse", "--verify", f"{rev}^{{commit}}")

    def fast_import(self, stream: bytes) -> None:
        """Feed a `git fast-import` stream (for many commits or files quickly)."""
        self.git("fast-import", "--quiet", input=stream)

    def reset_hard(self, rev: str) -> None:
        """Move the current branch to `rev`, dropping what came after (the first half of a force-push)."""
        self.git("reset", "-q", "--hard", rev)

    def gc(self) -> None:
        """Forget unreachable commits at once: expire every reflog, then prune."""
        self.git("reflog", "expire", "--expire=now", "--expire-unreachable=now", "--all")
        self.git("gc", "-q", "--prune=now")

    def rewrite_author_email(self, old: str, new: str) -> None:
        """Rewrite the whole history of the current branch with `git filter-branch`, changing one e-mail."""
        script = f'if [ "$GIT_AUTHOR_EMAIL" = "{old}" ]; then GIT_AUTHOR_EMAIL="{new}"; export GIT_AUTHOR_EMAIL; fi'
        env = git_env(FILTER_BRANCH_SQUELCH_WARNING="1")
        self.git("filter-branch", "-f", "--env-filter", script, "--", "HEAD", env=env)

    def many(self, n: int, *, date: str, prefix: str = "change") -> list[str]:
        """`n` commits each changing its own file, one second apart from `date`, in one fast-import; SHAs oldest first."""
        start = int(datetime.fromisoformat(date).timestamp())
        branch = self.git("symbolic-ref", "--short", "HEAD")
        parent = self.git("rev-parse", "--verify", "-q", "HEAD^{commit}") if self._has_head() else ""
        chunks = []
        for i in range(n):
            body = f"{prefix} {i}\n".encode()
            msg = f"Update {prefix} {i}".encode()
            stamp = f"{start + i} +0000"
            chunks.append(f"commit refs/heads/{branch}\nmark :{i + 1}\n".encode())
            chunks.append(
                f"author {AUTHOR[0]} <{AUTHOR[1]}> {stamp}\ncommitter {COMMITTER[0]} <{COMMITTER[1]}> {stamp}\n".encode()
            )
            chunks.append(f"data {len(msg)}\n".encode() + msg + b"\n")
            if i == 0 and parent:
                chunks.append(f"from {parent}\n".encode())
            chunks.append(f"M 100644 inline {prefix}/f{i}.txt\ndata {len(body)}\n".encode() + body + b"\n")
        self.fast_import(b"".join(chunks))
        self.git("reset", "-q", "--hard", branch)
        return self.git("rev-list", "--reverse", f"-{n}", branch).split()

    def _has_head(self) -> bool:
        try:
            self.head()
        except RuntimeError:
            return False
        return True
