"""Interface reports of upstream commits read from a local clone: `git show rev:path` as the reader."""

from __future__ import annotations

import os
import subprocess
from functools import lru_cache

from analysis.interfaces import InterfaceReport
from analysis.interfaces.commit import commit_interface_changes

GIT_TIMEOUT = 60.0
MAX_CHANGED = 200  # Python files read per commit


class CloneReader:
    """Reads files of a local clone at any revision, with a small cache; every git call is bounded."""

    def __init__(self, path: str):
        self.path = path
        self._env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")} | {"LC_ALL": "C"}
        self.read = lru_cache(maxsize=4096)(self._read)

    def git(self, *args: str) -> tuple[int, bytes]:
        """Exit code and standard output of `git args` in the clone."""
        try:
            out = subprocess.run(
                ["git", "-C", self.path, *args],
                capture_output=True,
                env=self._env,
                timeout=GIT_TIMEOUT,
                check=False,
            )
        except subprocess.TimeoutExpired:
            return 1, b""
        return out.returncode, out.stdout

    def _read(self, path: str, rev: str) -> str | None:
        code, out = self.git("show", f"{rev}:{path}")
        return out.decode("utf-8", errors="replace") if code == 0 else None

    def paths(self, rev: str) -> list[str]:
        """Every file path at `rev`."""
        return self.git("ls-tree", "-r", "--name-only", rev)[1].decode(errors="replace").splitlines()

    def changed(self, sha: str) -> list[str]:
        """The Python files a commit changes against its first parent."""
        code, out = self.git(
            "diff-tree", "--no-commit-id", "--no-renames", "-r", "--name-only", f"{sha}^", sha
        )
        names = out.decode(errors="replace").splitlines() if code == 0 else []
        return [n for n in names if n.endswith((".py", ".pyi"))][:MAX_CHANGED]

    def report(self, sha: str, paths: list[str] | None = None, seconds: float = 30.0) -> InterfaceReport:
        """The interface changes of commit `sha` (against its first parent)."""
        names = self.changed(sha)
        if not names:
            return InterfaceReport()
        parent = f"{sha}^"
        changed = {n: (self.read(n, parent), self.read(n, sha)) for n in names}
        return commit_interface_changes(
            changed, paths if paths is not None else self.paths(sha), self.read, parent, sha, seconds=seconds
        )
