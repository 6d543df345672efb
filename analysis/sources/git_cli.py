"""Running `git` in one clone (never through a shell), with its failures mapped to the source errors."""

from __future__ import annotations

import asyncio
import os
import subprocess
from pathlib import Path

from analysis.errors import RepoNotFound, SourceError, UnknownRevision

_CONFIG = [
    "-c", "core.quotepath=off",
    "-c", "color.ui=never",
    "-c", "log.showSignature=false",
    "-c", "i18n.logOutputEncoding=UTF-8",
    "-c", "diff.noprefix=false",
    "-c", "diff.mnemonicPrefix=false",
]  # fmt: skip


class _GitFailed(SourceError):  # the name shows in error texts; kept as it was
    """git exited with an error that is not about the repository itself."""


def decode(b: bytes) -> str:
    """git output as text, undecodable bytes replaced."""
    return b.decode("utf-8", errors="replace")


def check_rev(rev: str) -> str:
    """`rev` when it can only be read as a revision (not an option); raises UnknownRevision."""
    if not rev or rev.startswith("-") or "\0" in rev:
        raise UnknownRevision(f"{rev!r} is not a valid revision")
    return rev


class GitRunner:
    """Runs git commands in the clone at `path`, counting them, with a clean environment and fixed settings."""

    def __init__(self, path: str):
        self.path = path
        self.requests = 0
        self._env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
        self._env.update(
            GIT_CEILING_DIRECTORIES=str(Path(path).parent),
            GIT_TERMINAL_PROMPT="0",
            GIT_OPTIONAL_LOCKS="0",
            LC_ALL="C",
        )

    def _args(self, args: tuple[str, ...]) -> list[str]:
        return ["git", "-C", self.path, *_CONFIG, *args]

    def _fail(self, code: int, err: bytes, args: tuple[str, ...]) -> SourceError:
        msg = decode(err).strip()
        if "not a git repository" in msg or "cannot change to" in msg:
            return RepoNotFound(f"{self.path} is not a git repository (expected a local clone)")
        return _GitFailed(f"git {args[0]} failed in {self.path} (exit {code}): {msg[:500]}")

    async def run(
        self, *args: str, ok: tuple[int, ...] = (0,), input: bytes | None = None, timeout: float | None = None
    ) -> bytes:
        """The standard output of `git args`; raises RepoNotFound or _GitFailed on an exit code not in `ok`."""
        self.requests += 1
        try:
            proc = await asyncio.create_subprocess_exec(
                *self._args(args),
                stdin=asyncio.subprocess.DEVNULL if input is None else asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
                env=self._env,
            )
        except FileNotFoundError as e:
            raise SourceError("the git command is not installed") from e
        try:
            out, err = await asyncio.wait_for(proc.communicate(input), timeout)
        except TimeoutError:
            proc.kill()
            await proc.wait()
            raise _GitFailed(f"git {args[0]} in {self.path} took longer than {timeout:.0f} s") from None
        if proc.returncode not in ok:
            raise self._fail(proc.returncode or 0, err, args)
        return out

    def run_now(self, *args: str) -> bytes:
        """The standard output of `git args`, run synchronously, whatever its exit code."""
        self.requests += 1
        out = subprocess.run(self._args(args), capture_output=True, env=self._env, check=False)
        return out.stdout
