"""What `commit-digest status` reports: runs, analyses, cursors, rate limits and usage."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlite_utils

from analysis.config import LLMConfig
from analysis.llm import cost_usd
from storage.analyses import analysis_counts
from storage.repositories import list_cursors, list_repositories
from storage.runs import last_run, usage_totals


def _reset_text(epoch: int | None) -> str:
    if not epoch:
        return "?"
    return dt.datetime.fromtimestamp(epoch, dt.UTC).strftime("%H:%M UTC")


def status_data(db: sqlite_utils.Database, llm: LLMConfig | None = None) -> dict[str, Any]:
    """A JSON-friendly status of every known repository; `llm` prices the usage when it has prices."""
    repos = []
    for repo in list_repositories(db):
        name = repo["repo"]
        repos.append(
            {
                "repo": name,
                "kind": repo.get("kind"),
                "branch": repo.get("default_branch"),
                "display": repo.get("display"),
                "followed": repo.get("followed"),
                "last_run": last_run(db, name),
                "analyses": analysis_counts(db, name),
                "cursors": list_cursors(db, name),
                "rate_limit_remaining": repo.get("rate_limit_remaining"),
                "rate_limit_reset": repo.get("rate_limit_reset"),
            }
        )
    usage = usage_totals(db)
    usage["cost_usd"] = cost_usd(usage["prompt_tokens"], usage["completion_tokens"], llm) if llm else None
    return {"repos": repos, "usage": usage}


def status_lines(db: sqlite_utils.Database, llm: LLMConfig | None = None) -> tuple[list[str], dict[str, Any]]:
    """Readable status lines and the same data as a dict."""
    data = status_data(db, llm)
    if not data["repos"]:
        return ["no repository has been digested yet: try `commit-digest run --repo owner/name`"], data
    lines = []
    for r in data["repos"]:
        shown = r["display"] if r["display"] and r["display"] != r["repo"] else None
        lines.append(f"{shown or r['repo']} ({r['kind'] or '?'}, branch {r['branch'] or '?'})")
        if shown:
            lines.append(f"  at        {r['repo']}")
        if r["followed"]:
            lines.append(f"  follows   {r['followed']}")
        run = r["last_run"]
        if run:
            line = (
                f"  last run  {run['finished_at']}  {run['status']}: {run['commits']} commits, "
                f"{run['fetched']} fetched, {run['requests']} requests, {run['llm_calls']} LLM calls"
            )
            lines.append(line)
            if run["error"]:
                lines.append(f"  error     {run['error']}")
        counts = r["analyses"]
        lines.append("  analyses  " + (", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "none"))
        for c in r["cursors"]:
            lines.append(f"  cursor    {c['target']}: {c['branch']}@{c['sha'][:12]} ({c['updated_at']})")
        if r["rate_limit_remaining"] is not None:
            lines.append(
                f"  rate limit {r['rate_limit_remaining']} requests left, resets {_reset_text(r['rate_limit_reset'])}"
            )
    u = data["usage"]
    lines.append(
        f"LLM usage (all runs): {u['llm_calls']} calls, {u['prompt_tokens']} prompt + "
        f"{u['completion_tokens']} completion tokens"
        + (f", about ${u['cost_usd']:.2f}" if u["cost_usd"] is not None else "")
    )
    return lines, data
