"""Commits and analyzers for the LLM tests, against the loopback chat server."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from analysis.config import LLMConfig
from analysis.llm import EndpointMemory, LLMAnalyzer
from analysis.models import Analysis, Commit, FileChange, Importance, Score
from tests.fakes.chat import ChatServer
from tests.gitrepo import GitRepo

HIGH = Score(Importance.HIGH, "feature", ["touches the scheduler core"])


def commit(n: int = 0, files: list[FileChange] | None = None) -> Commit:
    """A small commit to the scheduler, or one with `files`."""
    patch = "@@ -1,3 +1,4 @@ class Scheduler:\n     def run(self):\n-        pass\n+        self.loop()\n+        return 1"
    return Commit(
        repo="acme/engine",
        sha=f"{n:040x}",
        message=f"Teach the scheduler to loop ({n})",
        author_name="Dev",
        committed_at=datetime(2026, 1, 24, 12, tzinfo=UTC),
        files=files or [FileChange("src/engine/scheduler.py", "modified", 2, 1, patch)],
    )


def big_commit(n: int = 1, lines: int = 3000) -> Commit:
    """A commit adding one file of `lines` lines."""
    body = "\n".join(f"+    total_{i} = accumulate(row_{i}, weight={i})" for i in range(lines))
    return commit(n, [FileChange("src/engine/math.py", "added", lines, 0, f"@@ -0,0 +1,{lines} @@\n" + body)])


def config(server: ChatServer, **kw) -> LLMConfig:
    """An LLMConfig pointed at `server`."""
    kw.setdefault("timeout", 10.0)
    return LLMConfig(api_key="sk-test", model="test-model", base_url=server.base_url, **kw)


def analyzer(server: ChatServer, memory: EndpointMemory | None = None, **kw) -> LLMAnalyzer:
    """An analyzer of `server` with a short backoff."""
    return LLMAnalyzer(config(server, **kw), "en", memory, backoff=0.05)


async def analyze_all(
    server: ChatServer, commits: list[Commit], memory: EndpointMemory | None = None, **kw
) -> tuple[LLMAnalyzer, list[Analysis]]:
    """Analyze `commits` concurrently with one analyzer, closed afterwards."""
    a = analyzer(server, memory, **kw)
    try:
        results = await asyncio.gather(*(a.analyze(c, HIGH) for c in commits))
    finally:
        await a.aclose()
    return a, list(results)


def day_repo(path, count: int = 6) -> GitRepo:
    """A real git repository with `count` commits on 2026-01-24, each adding one module."""
    repo = GitRepo(path)
    for i in range(count):
        code = "".join(f"v{j} = {j}\n" for j in range(10 + i))
        repo.commit(
            f"[Feature] Add layer {i} (#{200 + i})",
            {f"src/layers/l{i}.py": code},
            date=f"2026-01-24T0{i}:00:00+00:00",
        )
    return repo
