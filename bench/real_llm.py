"""One busy day against a real OpenAI-compatible model server on this machine (llama.cpp by default).

Builds a real git repository with five commits of varied size (one of 120 files and ~36,000 lines),
runs the digest of that day through the product against the server, then runs it again. Prints cards
done / total, LLM calls, requests that timed out, wall time, the server's own compute time for the
calls it answered (from its log's `llama_perf_context_print: total time` lines when --server-log is
given, else the measured time of each answered request), their ratio, what the product learned about
the endpoint, and the second run's LLM calls (0 when every card was kept).
With --repo (a local clone, read as it is) and --date, that clone's real day is run instead.
Usage: python bench/real_llm.py [--base-url http://127.0.0.1:8090/v1] [--model gemma3-270m]
                                [--server-log /tmp/cd-llama/server-8090.log] [--timeout 120]
                                [--repo PATH --date YYYY-MM-DD] [--answers answers.jsonl]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import re
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analysis.config import LLMConfig, PipelineConfig, SourceConfig  # noqa: E402
from analysis.llm import LLMAnalyzer, register_analyzer  # noqa: E402
from analysis.models import AnalysisStatus  # noqa: E402
from analysis.pipeline import run_digest  # noqa: E402
from analysis.store.llm_endpoints import Learned, learned_about  # noqa: E402
from storage import db as store  # noqa: E402
from tests.realday import DAY, build_busy_day  # noqa: E402

_TOTAL_RE = re.compile(r"llama_perf_context_print:\s+total time =\s+([\d.]+) ms")
_built: list[LLMAnalyzer] = []
_answers: list[Path] = []  # where each answer is written as one JSON line, with --answers


def _timed(cfg, language, memory):
    """The real analyzer, kept so the bench can read its endpoint's counters after the run."""
    analyzer = LLMAnalyzer(cfg, language, memory)
    create = analyzer.endpoint.client.chat.completions.create
    analyzer.answered_seconds = []

    async def timed_create(*args, **kw):
        started = time.perf_counter()
        resp = await create(*args, **kw)
        analyzer.answered_seconds.append(time.perf_counter() - started)
        if _answers and getattr(resp, "choices", None):
            limit = kw.get("max_tokens") or kw.get("max_completion_tokens")
            used = resp.usage.completion_tokens if resp.usage else None
            line = {"max_tokens": limit, "completion_tokens": used, "finish": resp.choices[0].finish_reason}
            with _answers[0].open("a", encoding="utf-8") as out:
                out.write(json.dumps({**line, "content": resp.choices[0].message.content}) + "\n")
        return resp

    analyzer.endpoint.client.chat.completions.create = timed_create
    _built.append(analyzer)
    return analyzer


def _log_seconds(path: Path | None, offset: int) -> float | None:
    if path is None or not path.exists():
        return None
    text = path.read_bytes()[offset:].decode("utf-8", "replace")
    return sum(float(ms) for ms in _TOTAL_RE.findall(text)) / 1000


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--base-url", default="http://127.0.0.1:8090/v1")
    ap.add_argument("--model", default="gemma3-270m")
    ap.add_argument("--server-log", type=Path, default=None)
    ap.add_argument("--timeout", type=float, default=120.0)
    ap.add_argument("--deadline", type=float, default=900.0)
    ap.add_argument("--repo", help="a local clone whose real day is run instead of the built one")
    ap.add_argument("--date", type=dt.date.fromisoformat, help="the clone's day (with --repo)")
    ap.add_argument("--answers", type=Path, help="write every answer of the model here, one JSON line each")
    args = ap.parse_args()
    if args.answers:
        _answers.append(args.answers)
    register_analyzer("bench", _timed)
    tmp = Path(tempfile.mkdtemp(prefix="real-llm-"))
    path, day = (args.repo, args.date or DAY) if args.repo else (str(build_busy_day(tmp / "kernels").path), DAY)
    db = store.open_db(tmp / "digest.db")
    llm = LLMConfig(
        api_key="sk-local",
        provider="bench",
        model=args.model,
        base_url=args.base_url,
        timeout=args.timeout,
        deadline=args.deadline,
    )
    cfg = PipelineConfig(repos=[path], llm=llm, source=SourceConfig(git_fetch=False))
    offset = args.server_log.stat().st_size if args.server_log and args.server_log.exists() else 0
    started = time.perf_counter()
    first = asyncio.run(run_digest(db, cfg, day=day))
    wall = time.perf_counter() - started
    analyzer = _built[-1]
    entries = first.repos[0].entries
    done = sum(e.analysis.status is AnalysisStatus.DONE for e in entries)
    logged = _log_seconds(args.server_log, offset)
    measured = sum(analyzer.answered_seconds)
    compute, source = (logged, "server log") if logged else (measured, "measured per answered request")
    learned = learned_about(db, analyzer.endpoint.url, args.model) or Learned()
    print(f"endpoint {args.base_url} model {args.model}; timeout {args.timeout:g} s; day {day}")
    for e in entries:
        a = e.analysis
        files = len(e.commit.files)
        lines = sum(f.additions + f.deletions for f in e.commit.files)
        print(
            f"  {e.commit.sha[:7]} {a.status.value:<8} {a.llm_calls} calls {a.prompt_tokens:>6} prompt tok "
            f"{a.completion_tokens:>5} answer tok  {files:>3} files {lines:>6} lines  {e.commit.title[:50]}"
        )
        if a.error:
            print(f"      error: {a.error}")
        elif a.card is not None:
            print(f"      {a.card.change_type} | {' / '.join(a.card.summary)[:150]}")
    print(f"cards done / total:            {done} / {len(entries)}")
    print(f"LLM calls:                     {first.usage.llm_calls}")
    print(f"requests that timed out:       {analyzer.endpoint.timeouts}")
    print(f"wall time:                     {wall:.1f} s")
    print(f"server compute (answered):     {compute:.1f} s ({source}; measured {measured:.1f} s)")
    print(f"wall / server compute:         {wall / compute:.2f}" if compute else "wall / server compute: n/a")
    print(f"alerts:                        {first.alerts or 'none'}")
    print(
        f"learned: mode {learned.mode}, context {learned.context_tokens} tokens, "
        f"token ratio {learned.token_ratio}, concurrency {learned.concurrency}"
    )
    sys.stdout.flush()
    second = asyncio.run(run_digest(db, cfg, day=day))
    print(f"second run LLM calls:          {second.usage.llm_calls}")


if __name__ == "__main__":
    main()
