"""File reads of one clone through a single long-lived `git cat-file --batch` process, bounded per read."""

from __future__ import annotations

import asyncio
import contextlib

from analysis.errors import SourceError
from analysis.sources.git_cli import _REAP_TIMEOUT, GitRunner, _GitFailed, _kill_group, decode

READ_TIMEOUT = 60.0  # seconds one file read may take


class BlobReader:
    """Reads `rev:path` blobs through one `git cat-file --batch` started on first use; closed by `aclose`."""

    def __init__(self, git: GitRunner, *, timeout: float = READ_TIMEOUT):
        self._git = git
        self._timeout = timeout
        self._proc: asyncio.subprocess.Process | None = None
        self._lock = asyncio.Lock()
        self._closed = False

    async def read(self, spec: str) -> str | None:
        """The text of the blob `spec` (`rev:path`), None when absent or not a file; raises SourceError on failure."""
        if "\n" in spec or "\r" in spec:
            return await self._read_once(
                spec
            )  # the batch protocol is line based: such a name gets its own git
        async with self._lock:
            if self._closed:
                raise SourceError(f"file reads of {self._git.path} are closed")
            proc = await self._start()
            assert proc.stdin is not None and proc.stdout is not None
            try:
                return await asyncio.wait_for(self._exchange(proc, spec), self._timeout)
            except (TimeoutError, asyncio.CancelledError, OSError, asyncio.IncompleteReadError) as e:
                await self._stop()
                if isinstance(e, asyncio.CancelledError):
                    raise
                if isinstance(e, TimeoutError):
                    raise _GitFailed(f"reading {spec} took longer than {self._timeout:.0f} s") from None
                raise _GitFailed(f"git cat-file stopped while reading {spec}") from None

    async def _exchange(self, proc: asyncio.subprocess.Process, spec: str) -> str | None:
        assert proc.stdin is not None and proc.stdout is not None
        proc.stdin.write(spec.encode("utf-8", "surrogateescape") + b"\n")
        await proc.stdin.drain()
        header = (await proc.stdout.readline()).rstrip(b"\n")
        if not header:
            raise asyncio.IncompleteReadError(b"", None)
        parts = header.split(b" ")
        if len(parts) != 3 or not parts[2].isdigit():  # `<spec> missing`, `<spec> ambiguous`...
            return None
        body = await proc.stdout.readexactly(int(parts[2]) + 1)
        return decode(body[:-1]) if parts[1] == b"blob" else None

    async def _start(self) -> asyncio.subprocess.Process:
        if self._proc is not None and self._proc.returncode is None:
            return self._proc
        self._git.check_repo()
        self._git.requests += 1
        try:
            self._proc = await asyncio.create_subprocess_exec(
                *self._git._args(("cat-file", "--batch")),
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.DEVNULL,
                env=self._git._env,
                start_new_session=True,
                limit=1 << 20,
            )
        except FileNotFoundError as e:
            raise SourceError("the git command is not installed") from e
        return self._proc

    async def _read_once(self, spec: str) -> str | None:
        out = await self._git.run("cat-file", "blob", spec, ok=(0, 128), timeout=self._timeout)
        if out:
            return decode(out)
        kind = await self._git.run("cat-file", "-t", spec, ok=(0, 128), timeout=self._timeout)
        return "" if kind.strip() == b"blob" else None

    async def _stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        _kill_group(proc)
        if proc.stdin is not None:
            proc.stdin.close()
        with contextlib.suppress(TimeoutError, ProcessLookupError):
            await asyncio.wait_for(proc.wait(), _REAP_TIMEOUT)

    async def aclose(self) -> None:
        """Stop the git process (and its group); later reads raise SourceError."""
        self._closed = True
        async with self._lock:
            await self._stop()
