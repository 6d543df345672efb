"""Running `git` in one clone (never through a shell), each run in its own process group and bounded in time."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
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
# Reading never reaches the network: a partial clone's missing objects fail at once instead of being
# fetched lazily from a promisor remote that may hang (git before 2.44 has no GIT_NO_LAZY_FETCH).
_OFFLINE = ["-c", "protocol.allow=never"]
LOCAL_TIMEOUT = 600.0  # seconds any local git command may take
_REAP_TIMEOUT = 5.0  # seconds to wait for a killed process group to be gone


class _GitFailed(SourceError):  # the name shows in error texts; kept as it was
    """git exited with an error that is not about the repository itself."""

    def __init__(self, message: str, code: int | None = None):
        super().__init__(message)
        self.code = code  # git's exit code; None when git was stopped for taking too long


def decode(b: bytes) -> str:
    """git output as text, undecodable bytes replaced."""
    return b.decode("utf-8", errors="replace")


def decode_text(b: bytes, fallback: str = "latin-1") -> str:
    """A message or name: UTF-8 when it is, else the commit encoding `fallback` (Latin-1 never fails)."""
    try:
        return b.decode("utf-8")
    except UnicodeDecodeError:
        try:
            return b.decode(fallback)
        except (UnicodeDecodeError, LookupError):
            return b.decode("latin-1")


def decode_path(b: bytes) -> str:
    """A file name: UTF-8 when it is, else its odd bytes written as \\xNN, so distinct names stay distinct."""
    return b.decode("utf-8", errors="backslashreplace")


def check_rev(rev: str) -> str:
    """`rev` when it can only be read as a revision (not an option); raises UnknownRevision."""
    if not rev or rev.startswith("-") or "\0" in rev:
        raise UnknownRevision(f"{rev!r} is not a valid revision")
    return rev


def _kill_group(proc: asyncio.subprocess.Process) -> None:
    """Kill git and every process it started (a fetch's `git remote-http` keeps the pipes open otherwise)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)


class GitRunner:
    """Runs git commands in the clone at `path`, counting them, with a clean environment and fixed settings."""

    def __init__(self, path: str):
        self.path = path
        self.requests = 0
        self._checked = False
        self._env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
        self._env.update(
            GIT_CEILING_DIRECTORIES=str(Path(path).parent),
            GIT_TERMINAL_PROMPT="0",
            GIT_OPTIONAL_LOCKS="0",
            GIT_NO_LAZY_FETCH="1",
            LC_ALL="C",
        )

    def _args(self, args: tuple[str, ...], online: bool = False) -> list[str]:
        return ["git", "-C", self.path, *_CONFIG, *([] if online else _OFFLINE), *args]

    def check_repo(self) -> None:
        """Raise RepoNotFound unless `path` is the top of a git clone (asked once, by exit code)."""
        if self._checked:
            return
        if not os.path.isdir(self.path):
            raise RepoNotFound(f"{self.path} is not a git repository (expected a local clone)")
        probe = subprocess.run(
            self._args(("rev-parse", "--git-dir")), capture_output=True, env=self._env, check=False,
            timeout=LOCAL_TIMEOUT, start_new_session=True,
        )  # fmt: skip
        if probe.returncode != 0:
            raise RepoNotFound(f"{self.path} is not a git repository (expected a local clone)")
        self._checked = True

    async def run(
        self,
        *args: str,
        ok: tuple[int, ...] = (0,),
        input: bytes | None = None,
        timeout: float | None = LOCAL_TIMEOUT,
        online: bool = False,
    ) -> bytes:
        """The standard output of `git args`; raises RepoNotFound or _GitFailed on an exit code not in `ok`."""
        code, out, err = await self.call(*args, input=input, timeout=timeout, online=online)
        if code not in ok:
            msg = decode(err).strip()
            raise _GitFailed(f"git {args[0]} failed in {self.path} (exit {code}): {msg[:500]}", code)
        return out

    async def call(
        self,
        *args: str,
        input: bytes | None = None,
        timeout: float | None = LOCAL_TIMEOUT,
        online: bool = False,
    ) -> tuple[int, bytes, bytes]:
        """git's exit code, output and error output; on timeout its whole process group is killed."""
        self.check_repo()
        self.requests += 1
        try:
            proc = await asyncio.create_subprocess_exec(
                *self._args(args, online),
                stdin=asyncio.subprocess.DEVNULL if input is None else asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
                env=self._env,
                start_new_session=True,
            )
        except FileNotFoundError as e:
            raise SourceError("the git command is not installed") from e
        try:
            out, err = await asyncio.wait_for(proc.communicate(input), timeout)
        except (TimeoutError, asyncio.CancelledError) as e:
            _kill_group(proc)
            for pipe in (proc.stdout, proc.stderr):
                if pipe is not None and (transport := getattr(pipe, "_transport", None)) is not None:
                    transport.close()
            with contextlib.suppress(TimeoutError, ProcessLookupError):
                await asyncio.wait_for(proc.wait(), _REAP_TIMEOUT)
            if isinstance(e, asyncio.CancelledError):
                raise
            raise _GitFailed(f"git {args[0]} in {self.path} took longer than {timeout:.0f} s") from None
        return proc.returncode or 0, out, err

    def run_now(self, *args: str, counted: bool = True) -> bytes:
        """The standard output of `git args`, run synchronously, whatever its exit code."""
        self.requests += counted
        out = subprocess.run(
            self._args(args), capture_output=True, env=self._env, check=False,
            timeout=LOCAL_TIMEOUT, start_new_session=True,
        )  # fmt: skip
        return out.stdout
